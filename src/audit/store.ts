import type { Queryable, Tx } from '../db/pool.ts';
import { paginate, type CursorArgs, type Page } from '../db/paginate.ts';
import type { SignedCheckpoint } from './checkpoint-sig.ts';
import { CONTENT_COLUMNS, type AuditContent } from './mac.ts';

/**
 * The SQL of the audit_log, audit_checkpoints and audit_legacy_boundaries tables, which this
 * folder owns: appending, sealing, verifying, checkpoints and the legacy boundaries. A chain is a
 * tenant's id (or 'global'), and this folder sits below tenants (which write audit rows), so the
 * few statements that need the tenants' ids read them here.
 */

/** A row as stored: the MACed contents (src/audit/mac.ts), typed as pg returns them, plus its place in the chain. */
export interface DbAuditRow extends Omit<AuditContent, 'metadata' | 'created_at'> {
  id: string;
  /** Null until the sealer chains the row (moments after its commit). */
  seq: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  prev_hash: string | null;
  hash: string | null;
  /** HMAC of the contents by the Sandpay process; null on rows from before the keyed chain. */
  mac: string | null;
}

// ----- rows: append and seal -----

/** The rows (JSON, each with its MAC) inserted with the COMMIT, in order, unsealed. */
export function deferAuditRows(t: Tx, rows: string): void {
  t.defer(
    `INSERT INTO audit_log (chain, tenant_id, object_type, object_id, action, old_status, new_status,
                            actor_type, actor_id, request_id, metadata, created_at, mac)
     SELECT e->>'chain', e->>'tenant_id', e->>'object_type', e->>'object_id', e->>'action', e->>'old_status',
            e->>'new_status', e->>'actor_type', e->>'actor_id', e->>'request_id', e->'metadata',
            (e->>'created_at')::timestamptz, e->>'mac'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r (e, n)
      ORDER BY n`,
    [rows],
  );
}

/**
 * Takes the chain's sealing lock for this transaction: waits for it when `wait`, else answers
 * whether another sealer has it (locked false).
 */
export function lockChainForSealing(t: Tx, chain: string, wait: boolean): Promise<{ locked: boolean }> {
  return t.one<{ locked: boolean }>(
    wait
      ? `SELECT true AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))) l`
      : `SELECT pg_try_advisory_xact_lock(hashtextextended($1::text, 0)) AS locked`,
    [`sandpay:audit-seal:${chain}`],
  );
}

export interface UnsealedRow extends AuditContent {
  id: string;
  mac: string | null;
}

/** The chain's oldest unsealed rows after `afterId`, each with the chain's head (seq and hash; null: no sealed row yet). */
export function unsealedRowsWithHead(t: Tx, chain: string, afterId: string, limit: number): Promise<Array<UnsealedRow & { head_seq: string | null; head_hash: string | null }>> {
  return t.rows<UnsealedRow & { head_seq: string | null; head_hash: string | null }>(
    `WITH head AS (SELECT seq, hash FROM audit_log WHERE chain = $1::text AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1),
            todo AS (SELECT id, mac, ${CONTENT_COLUMNS} FROM audit_log
                      WHERE chain = $1::text AND seq IS NULL AND id > $2::bigint ORDER BY id LIMIT $3::int)
       SELECT todo.*, head.seq AS head_seq, head.hash AS head_hash FROM todo LEFT JOIN head ON true ORDER BY todo.id`,
    [chain, afterId, limit],
  );
}

/** Gives rows still unsealed their place in the chain: the rows sealed. */
export function sealRows(t: Tx, ids: string[], seqs: string[], prevs: string[], hashes: string[]): Promise<unknown[]> {
  return t.rows(
    `UPDATE audit_log a SET seq = u.seq, prev_hash = u.prev_hash, hash = u.hash
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS u (id, seq, prev_hash, hash)
          WHERE a.id = u.id AND a.seq IS NULL
         RETURNING a.id`,
    [ids, seqs, prevs, hashes],
  );
}

/** Every chain with unsealed rows. */
export function chainsWithUnsealedRows(db: Queryable): Promise<Array<{ chain: string }>> {
  return db.rows<{ chain: string }>('SELECT DISTINCT chain FROM audit_log WHERE seq IS NULL');
}

// ----- rows: read and verify -----

/** Turns the transaction into one read-only snapshot (its first statement). */
export async function readOnlySnapshot(t: Tx): Promise<void> {
  await t.rows('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
}

/** The hash of the chain's row at `seq`, if there is one. */
export function hashAtSeq(db: Queryable, chain: string, seq: number): Promise<{ hash: string } | undefined> {
  return db.maybeOne<{ hash: string }>('SELECT hash FROM audit_log WHERE chain = $1::text AND seq = $2::bigint', [chain, seq]);
}

export interface SealedRow extends AuditContent {
  id: string;
  seq: string;
  prev_hash: string;
  hash: string;
  mac: string | null;
  /** For a row from before the keyed chain, its SHA-256 chain hash as computed now. */
  legacy_hash: string | null;
}

/** The chain's sealed rows after `after` (a seq), in order, at most `limit`. */
export function sealedRowsAfter(db: Queryable, chain: string, after: string, limit: number): Promise<SealedRow[]> {
  return db.rows<SealedRow>(
    `SELECT id, seq, prev_hash, hash, mac, ${CONTENT_COLUMNS},
              CASE WHEN mac IS NULL THEN audit_row_hash(prev_hash, chain, seq, tenant_id, object_type, object_id, action, old_status,
                                                        new_status, actor_type, actor_id, request_id, metadata, audit_log.created_at) END AS legacy_hash
         FROM audit_log WHERE chain = $1::text AND seq > $2::bigint ORDER BY seq LIMIT $3::int`,
    [chain, after, limit],
  );
}

/** The chain's unsealed rows after `afterId`, in id order, at most `limit`. */
export function unsealedRowsAfter(db: Queryable, chain: string, afterId: string, limit: number): Promise<UnsealedRow[]> {
  return db.rows<UnsealedRow>(
    `SELECT id, mac, ${CONTENT_COLUMNS} FROM audit_log WHERE chain = $1::text AND seq IS NULL AND id > $2::bigint ORDER BY id LIMIT $3::int`,
    [chain, afterId, limit],
  );
}

/** Whether the chain is a tenant's. */
export async function isTenantChain(db: Queryable, chain: string): Promise<boolean> {
  // reads tenants (owned by src/tenants): whether the chain is a tenant's; this folder sits
  // below tenants (which write audit rows), so it cannot ask their store.
  return (await db.maybeOne('SELECT 1 FROM tenants WHERE id = $1::text', [chain])) !== undefined;
}

/** The tenant's rows about one object: sealed ones in chain order, then the unsealed (the newest) in insertion order. */
export function auditRowsOfObject(db: Queryable, tenantId: string, objectId: string): Promise<DbAuditRow[]> {
  return db.rows<DbAuditRow>(
    // Unsealed rows (seq NULL) are the newest; among them, insertion order.
    'SELECT * FROM audit_log WHERE tenant_id = $1::text AND object_id = $2::text ORDER BY seq NULLS LAST, id',
    [tenantId, objectId],
  );
}

// ----- legacy boundaries -----

/** Whether the global chain holds a row with this action (the legacy boundaries were fixed once). */
export async function globalChainHasAction(t: Tx, action: string): Promise<boolean> {
  return (await t.maybeOne(`SELECT 1 FROM audit_log WHERE chain = 'global' AND action = $1::text LIMIT 1`, [action])) !== undefined;
}

/** Where each chain's rows without a MAC end, before its first keyed row: the seq and hash there. */
export function legacyHeads(t: Tx): Promise<Array<{ chain: string; seq: string; hash: string }>> {
  return t.rows<{ chain: string; seq: string; hash: string }>(
    `WITH first_keyed AS (SELECT chain, min(seq) AS seq FROM audit_log WHERE seq IS NOT NULL AND mac IS NOT NULL GROUP BY chain),
            legacy AS (SELECT a.chain, max(a.seq) AS seq FROM audit_log a LEFT JOIN first_keyed k ON k.chain = a.chain
                        WHERE a.seq IS NOT NULL AND a.mac IS NULL AND (k.seq IS NULL OR a.seq < k.seq) GROUP BY a.chain)
       SELECT l.chain, l.seq, a.hash FROM legacy l JOIN audit_log a ON a.chain = l.chain AND a.seq = l.seq`,
  );
}

/** Records the chains' legacy boundaries (a chain that has one keeps it). */
export async function insertLegacyBoundaries(t: Tx, chains: string[], seqs: string[], hashes: string[], macs: string[]): Promise<void> {
  await t.rows(
    `INSERT INTO audit_legacy_boundaries (chain, seq, head_hash, mac)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[])
         ON CONFLICT (chain) DO NOTHING`,
    [chains, seqs, hashes, macs],
  );
}

export function legacyBoundaryRow(db: Queryable, chain: string): Promise<{ seq: string; head_hash: string; mac: string } | undefined> {
  return db.maybeOne<{ seq: string; head_hash: string; mac: string }>(
    'SELECT seq, head_hash, mac FROM audit_legacy_boundaries WHERE chain = $1::text',
    [chain],
  );
}

// ----- checkpoints -----

export interface DbCheckpoint {
  id: string;
  chain: string;
  seq: string;
  head_hash: string;
  row_count: string;
  key_id: string;
  payload: string;
  signature: string;
  created_at: Date;
}

/** What a stored checkpoint is checked by: its signed payload and the columns that must say the same. */
export type CheckpointRow = Pick<DbCheckpoint, 'id' | 'seq' | 'head_hash' | 'payload' | 'signature'>;

export function insertCheckpointRow(t: Tx, c: SignedCheckpoint): Promise<{ id: string }> {
  return t.one<{ id: string }>(
    `INSERT INTO audit_checkpoints (id, chain, seq, head_hash, row_count, key_id, payload, signature, created_at)
     VALUES ('acp_' || random_public_id(), $1::text, $2::bigint, $3::text, $4::bigint, $5::text, $6::text, $7::text, $8::timestamptz)
     RETURNING id`,
    [c.chain, c.seq, c.head_hash, c.row_count, c.key_id, c.payload, c.signature, c.created_at],
  );
}

/** A page of the chain's checkpoints, newest first. */
export function listCheckpointRows<T>(db: Queryable, chain: string, page: CursorArgs, view: (r: DbCheckpoint) => T): Promise<Page<T>> {
  return paginate(db, { table: 'audit_checkpoints', where: ['chain = $1::text'], params: [chain], ...page }, view);
}

/** The chain's checkpoints after (seq, id) (null: from the first), by seq, at most `limit`. */
export function checkpointRowsAfter(db: Queryable, chain: string, after: { seq: string; id: string } | null, limit: number): Promise<CheckpointRow[]> {
  return db.rows<CheckpointRow>(
    `SELECT id, seq, head_hash, payload, signature FROM audit_checkpoints
        WHERE chain = $1::text AND ($2::bigint IS NULL OR (seq, id) > ($2::bigint, $3::text))
        ORDER BY seq, id LIMIT $4::int`,
    [chain, after?.seq ?? null, after?.id ?? null, limit],
  );
}

export function newestCheckpointRow(db: Queryable, chain: string): Promise<CheckpointRow | undefined> {
  return db.maybeOne<CheckpointRow>(
    'SELECT id, seq, head_hash, payload, signature FROM audit_checkpoints WHERE chain = $1::text ORDER BY seq DESC, id DESC LIMIT 1',
    [chain],
  );
}

/** Every chain (each tenant's and the global one) whose oldest row not covered by a checkpoint is older than `olderThanSeconds`. */
export function chainsDueForCheckpoint(db: Queryable, olderThanSeconds: number): Promise<Array<{ chain: string }>> {
  // joins tenants (owned by src/tenants): a chain is a tenant's id (or 'global'), and this folder
  // sits below tenants (which write audit rows), so it reads their ids itself.
  return db.rows<{ chain: string }>(
    `SELECT c.chain
       FROM (SELECT id AS chain FROM tenants UNION ALL SELECT 'global') c
      CROSS JOIN LATERAL (SELECT coalesce(max(seq), 0) AS seq FROM audit_checkpoints k WHERE k.chain = c.chain) done
      CROSS JOIN LATERAL (SELECT a.created_at FROM audit_log a WHERE a.chain = c.chain AND a.seq > done.seq ORDER BY a.seq LIMIT 1) oldest
      WHERE oldest.created_at <= now() - $1::int * interval '1 second'`,
    [olderThanSeconds],
  );
}

/** The next 500 tenants' ids after `after`, in order: their chains. */
export function tenantChainsAfter(db: Queryable, after: string): Promise<Array<{ id: string }>> {
  // reads tenants (owned by src/tenants): their ids are the chains, as above.
  return db.rows<{ id: string }>('SELECT id FROM tenants WHERE id > $1::text ORDER BY id LIMIT 500', [after]);
}

// ----- audit_verifications: full passes run in the background -----

export interface DbVerification {
  id: string;
  chain: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  rows_checked: string;
  rows_total: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export function insertVerification(t: Tx, id: string, chain: string): Promise<DbVerification> {
  return t.one<DbVerification>('INSERT INTO audit_verifications (id, chain) VALUES ($1::text, $2::text) RETURNING *', [id, chain]);
}

/** One of the chain's verifications; undefined when it is another chain's or none. */
export function getVerification(db: Queryable, chain: string, id: string): Promise<DbVerification | undefined> {
  return db.maybeOne<DbVerification>('SELECT * FROM audit_verifications WHERE id = $1::text AND chain = $2::text', [id, chain]);
}

/** Running, with how many rows there are to read (its sealed rows, by the chain's head seq). */
export function startVerificationRow(db: Queryable, id: string): Promise<DbVerification | undefined> {
  return db.maybeOne<DbVerification>(
    `UPDATE audit_verifications v SET status = 'running', rows_checked = 0, updated_at = now(),
            rows_total = (SELECT coalesce(max(seq), 0) FROM audit_log a WHERE a.chain = v.chain AND a.seq IS NOT NULL)
      WHERE id = $1::text AND status IN ('queued', 'running') RETURNING *`,
    [id],
  );
}

export async function verificationProgress(db: Queryable, id: string, rowsChecked: number): Promise<void> {
  await db.rows(`UPDATE audit_verifications SET rows_checked = $2::bigint, updated_at = now() WHERE id = $1::text AND status = 'running'`, [id, rowsChecked]);
}

export async function finishVerification(db: Queryable, id: string, status: 'succeeded' | 'failed', rowsChecked: number, result: unknown, error: string | null): Promise<void> {
  await db.rows(
    `UPDATE audit_verifications SET status = $2::text, rows_checked = $3::bigint, result = $4::jsonb, error = $5::text, updated_at = now(), finished_at = now()
      WHERE id = $1::text`,
    [id, status, rowsChecked, result === null ? null : JSON.stringify(result), error],
  );
}

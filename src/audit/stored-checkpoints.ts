import type { Queryable, Tx } from '../db/pool.ts';
import type { CursorArgs } from '../db/paginate.ts';
import { checkpointToken, openCheckpoint, type SignedCheckpoint } from './checkpoint-sig.ts';
import type { AuditContext } from './context.ts';
import { checkpointRowsAfter, insertCheckpointRow, listCheckpointRows, newestCheckpointRow, type CheckpointRow, type DbCheckpoint } from './store.ts';

/** The checkpoints as stored: their view, and the ones this process can trust (their signature checked). */

export function checkpointView(c: Pick<DbCheckpoint, 'id' | 'payload' | 'signature'> & SignedCheckpoint) {
  return {
    object: 'audit_checkpoint' as const,
    id: c.id,
    chain: c.chain,
    seq: c.seq,
    head_hash: c.head_hash,
    row_count: c.row_count,
    created_at: c.created_at,
    key_id: c.key_id,
    algorithm: 'Ed25519' as const,
    payload: c.payload,
    signature: c.signature,
    token: checkpointToken(c),
  };
}

export type CheckpointView = ReturnType<typeof checkpointView>;

export async function insertCheckpoint(t: Tx, c: SignedCheckpoint): Promise<CheckpointView> {
  const row = await insertCheckpointRow(t, c);
  return checkpointView({ ...c, id: row.id });
}

/**
 * The claim of a stored checkpoint when its signature verifies for this chain and its columns say
 * what it signed (a genuine checkpoint copied to another chain, or with its seq edited to sort
 * elsewhere, is not one); null otherwise.
 */
function openRow(audit: AuditContext, chain: string, r: Omit<CheckpointRow, 'id'>): SignedCheckpoint | null {
  const c = openCheckpoint(audit.keys.signer, r.payload, r.signature);
  return c && c.chain === chain && String(c.seq) === String(r.seq) && c.head_hash === r.head_hash ? c : null;
}

/** A chain's checkpoints, newest first. A row that does not verify is shown as it is, with `valid: false`. */
export async function listCheckpoints(db: Queryable, audit: AuditContext, chain: string, page: CursorArgs) {
  return listCheckpointRows(db, chain, page, (r) => {
    const opened = openRow(audit, chain, r);
    return opened
      ? checkpointView({ ...opened, id: r.id })
      : { ...checkpointView({ ...r, seq: Number(r.seq), row_count: Number(r.row_count), created_at: r.created_at.toISOString(), id: r.id }), valid: false };
  });
}

/** What verification needs of a checkpoint whose signature has been checked. */
export type KnownCheckpoint = Pick<SignedCheckpoint, 'seq' | 'head_hash' | 'row_count' | 'created_at'> & { source: 'database' | 'file' | 'supplied' };

/** Checkpoint rows that do not verify: how many, and the first by seq. */
export interface ForgedCheckpoints {
  count: number;
  first: { id: string; seq: string };
}

const known = (c: SignedCheckpoint, source: KnownCheckpoint['source']): KnownCheckpoint => ({
  seq: c.seq, head_hash: c.head_hash, row_count: c.row_count, created_at: c.created_at, source,
});

/** The newest checkpoint of the chain in the DATA_DIR file (which a database user cannot delete), unless `stored` has it. */
async function fromFile(audit: AuditContext, chain: string, stored: KnownCheckpoint[]): Promise<KnownCheckpoint[]> {
  const c = await audit.checkpoints.latest(chain);
  return c && !stored.some((s) => s.seq === c.seq && s.head_hash === c.head_hash) ? [known(c, 'file')] : [];
}

const PAGE = 1000;

/**
 * Every checkpoint of the chain this process can trust, oldest first: each one in the database
 * whose signature verifies, and the newest in the DATA_DIR file. Every row is checked, not just
 * the newest few: rows that do not verify (junk with a high seq, say) must neither hide a genuine
 * one nor pass unnoticed, so they are answered as `forged`.
 */
export async function allCheckpoints(db: Queryable, audit: AuditContext, chain: string): Promise<{ valid: KnownCheckpoint[]; forged: ForgedCheckpoints | null }> {
  const valid: KnownCheckpoint[] = [];
  let forged: ForgedCheckpoints | null = null;
  for (let after: { seq: string; id: string } | null = null; ; ) {
    const rows = await checkpointRowsAfter(db, chain, after, PAGE);
    for (const r of rows) {
      const c = openRow(audit, chain, r);
      if (c) valid.push(known(c, 'database'));
      else if (forged) forged.count++;
      else forged = { count: 1, first: { id: r.id, seq: r.seq } };
    }
    if (rows.length < PAGE) break;
    after = { seq: rows.at(-1)!.seq, id: rows.at(-1)!.id };
  }
  return { valid: [...valid, ...(await fromFile(audit, chain, valid))].sort((a, b) => a.seq - b.seq), forged };
}

/**
 * The checkpoint a new one follows: the newer of the database's newest row and the file's. When
 * the database's newest row does not verify it is answered as `forged` instead (a new checkpoint
 * must not be signed past rows that may hide the genuine one); a bad row further down hides
 * nothing and is left to verification, which reads them all.
 */
export async function newestCheckpoint(db: Queryable, audit: AuditContext, chain: string): Promise<{ previous: KnownCheckpoint | null; forged: { id: string; seq: string } | null }> {
  const top = await newestCheckpointRow(db, chain);
  const opened = top ? openRow(audit, chain, top) : null;
  if (top && !opened) return { previous: null, forged: { id: top.id, seq: top.seq } };
  const stored = opened ? [known(opened, 'database')] : [];
  const [previous] = [...stored, ...(await fromFile(audit, chain, stored))].sort((a, b) => b.seq - a.seq);
  return { previous: previous ?? null, forged: null };
}

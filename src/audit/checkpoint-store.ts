import type { Queryable, Tx } from '../db/pool.ts';
import { paginate } from '../db/paginate.ts';
import { checkpointFile } from './checkpoint-file.ts';
import { checkpointToken, openCheckpoint, type SignedCheckpoint } from './checkpoint-sig.ts';
import type { AuditContext } from './context.ts';

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
  const row = await t.one<{ id: string }>(
    `INSERT INTO audit_checkpoints (id, chain, seq, head_hash, row_count, key_id, payload, signature, created_at)
     VALUES ('acp_' || random_public_id(), $1::text, $2::bigint, $3::text, $4::bigint, $5::text, $6::text, $7::text, $8::timestamptz)
     RETURNING id`,
    [c.chain, c.seq, c.head_hash, c.row_count, c.key_id, c.payload, c.signature, c.created_at],
  );
  return checkpointView({ ...c, id: row.id });
}

/** A chain's checkpoints, newest first. A row whose signature fails is shown as it is, with `valid: false`. */
export async function listCheckpoints(db: Queryable, ctx: AuditContext, chain: string, page: { limit: number; startingAfter?: string; endingBefore?: string }) {
  return paginate(db, { table: 'audit_checkpoints', where: ['chain = $1::text'], params: [chain], ...page }, (r: DbCheckpoint) => {
    const opened = openCheckpoint(ctx.keys.signer, r.payload, r.signature);
    return opened && opened.chain === chain
      ? checkpointView({ ...opened, id: r.id })
      : { ...checkpointView({ ...r, seq: Number(r.seq), row_count: Number(r.row_count), created_at: r.created_at.toISOString(), id: r.id }), valid: false };
  });
}

export type KnownCheckpoint = SignedCheckpoint & { source: 'database' | 'file' | 'supplied' };

/**
 * The latest checkpoint of a chain this process can trust: the newest one in the database whose
 * signature verifies, and the newest in the DATA_DIR file (which a database user cannot delete).
 * Both are answered when they differ, and verification checks each.
 */
export async function latestCheckpoints(db: Queryable, ctx: AuditContext, chain: string): Promise<KnownCheckpoint[]> {
  const rows = await db.rows<Pick<DbCheckpoint, 'payload' | 'signature'>>(
    'SELECT payload, signature FROM audit_checkpoints WHERE chain = $1::text ORDER BY seq DESC, created_at DESC LIMIT 10',
    [chain],
  );
  const out: KnownCheckpoint[] = [];
  for (const r of rows) {
    const c = openCheckpoint(ctx.keys.signer, r.payload, r.signature);
    if (c && c.chain === chain) {
      out.push({ ...c, source: 'database' });
      break;
    }
  }
  const fromFile = (await checkpointFile(ctx.dataDir, ctx.keys.signer, ctx.log)).latest(chain);
  if (fromFile && !out.some((c) => c.seq === fromFile.seq && c.head_hash === fromFile.head_hash)) out.push({ ...fromFile, source: 'file' });
  return out;
}

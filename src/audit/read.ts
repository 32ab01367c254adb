import type { Queryable } from '../db/pool.ts';

export interface DbAuditRow {
  id: string;
  chain: string;
  seq: string;
  tenant_id: string | null;
  object_type: string;
  object_id: string;
  action: string;
  old_status: string | null;
  new_status: string | null;
  actor_type: string;
  actor_id: string | null;
  request_id: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

export function auditView(r: DbAuditRow) {
  return {
    object: 'audit_entry',
    seq: Number(r.seq),
    object_type: r.object_type,
    object_id: r.object_id,
    action: r.action,
    old_status: r.old_status,
    new_status: r.new_status,
    actor: { type: r.actor_type, id: r.actor_id },
    request_id: r.request_id,
    metadata: r.metadata,
    created_at: r.created_at.toISOString(),
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
}

export async function auditForObject(db: Queryable, tenantId: string, objectId: string) {
  const rows = await db.rows<DbAuditRow>(
    'SELECT * FROM audit_log WHERE tenant_id = $1::text AND object_id = $2::text ORDER BY seq',
    [tenantId, objectId],
  );
  return rows.map(auditView);
}

export interface ChainVerification {
  ok: boolean;
  chain: string;
  rows_checked: number;
  first_bad_row?: { seq: number; id: number; reason: string };
}

/**
 * Recomputes every hash of a chain in order. A row is bad when its own hash does not match its
 * contents, its prev_hash does not match the row before, or its seq skips (a deleted row).
 */
export async function verifyChain(db: Queryable, chain: string): Promise<ChainVerification> {
  const result = await db.one<{ rows_checked: string; bad_seq: string | null; bad_id: string | null; reason: string | null }>(
    `WITH c AS (
       SELECT id, seq, hash, prev_hash,
              audit_row_hash(prev_hash, chain, seq, tenant_id, object_type, object_id, action, old_status,
                             new_status, actor_type, actor_id, request_id, metadata, created_at) AS computed,
              lag(hash) OVER w AS before_hash,
              lag(seq) OVER w AS before_seq
         FROM audit_log WHERE chain = $1::text
       WINDOW w AS (ORDER BY seq)
     ), bad AS (
       SELECT id, seq,
              CASE WHEN computed <> hash THEN 'row contents do not match its hash'
                   WHEN prev_hash <> coalesce(before_hash, repeat('0', 64)) THEN 'prev_hash does not match the previous row'
                   ELSE 'sequence gap: a row is missing before this one' END AS reason
         FROM c
        WHERE computed <> hash
           OR prev_hash <> coalesce(before_hash, repeat('0', 64))
           OR seq <> coalesce(before_seq, 0) + 1
        ORDER BY seq LIMIT 1
     )
     SELECT (SELECT count(*) FROM c) AS rows_checked, bad.seq AS bad_seq, bad.id AS bad_id, bad.reason
       FROM (SELECT 1) one LEFT JOIN bad ON true`,
    [chain],
  );
  const out: ChainVerification = { ok: result.bad_seq === null, chain, rows_checked: Number(result.rows_checked) };
  if (result.bad_seq !== null) {
    out.first_bad_row = { seq: Number(result.bad_seq), id: Number(result.bad_id), reason: result.reason! };
  }
  return out;
}

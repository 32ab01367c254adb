import type { Queryable } from '../db/pool.ts';
import type { AuditContent } from './mac.ts';
import { auditRowsOfObject } from './store.ts';

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

export function auditView(r: DbAuditRow) {
  return {
    object: 'audit_entry',
    seq: r.seq === null ? null : Number(r.seq),
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
  return (await auditRowsOfObject(db, tenantId, objectId)).map(auditView);
}


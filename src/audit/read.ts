import type { Queryable } from '../db/pool.ts';
import { auditRowsOfObject, type DbAuditRow } from './store.ts';

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


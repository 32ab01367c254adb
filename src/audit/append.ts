import type { Tx } from '../db/pool.ts';
import type { Ctx } from '../services.ts';

export type ActorType = 'api_key' | 'publishable_key' | 'admin' | 'system';

export interface Actor {
  type: ActorType;
  id: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };

export interface AuditEntry {
  /** null for operator-wide changes (global fraud rules), which go to the 'global' chain. */
  tenantId: string | null;
  objectType: string;
  objectId: string;
  action: string;
  oldStatus?: string | null;
  newStatus?: string | null;
  actor: Actor;
  requestId?: string | null;
  metadata?: Record<string, unknown>;
}

export const chainOf = (tenantId: string | null) => tenantId ?? 'global';

/** An audit row for a change made in `ctx`: tenant, actor and request id come from it. */
export function auditIn(t: Tx, ctx: Pick<Ctx, 'tenant' | 'actor' | 'requestId'>, entry: Omit<AuditEntry, 'tenantId' | 'actor' | 'requestId'>): void {
  audit(t, { ...entry, tenantId: ctx.tenant.id, actor: ctx.actor, requestId: ctx.requestId });
}

const PENDING = Symbol('pending audit entries');

/**
 * Queues an audit row in the caller's transaction. The rows are appended just before COMMIT,
 * so the per-chain lock that orders the hash chain is held for the shortest time possible and
 * always taken last (no lock-order deadlocks with row locks taken earlier).
 */
export function audit(t: Tx, entry: AuditEntry): void {
  let pending = t.scratch.get(PENDING) as AuditEntry[] | undefined;
  if (!pending) {
    pending = [];
    t.scratch.set(PENDING, pending);
    const entries = pending;
    t.beforeCommit(() => flush(t, entries), 'seal');
  }
  pending.push(entry);
}

async function flush(t: Tx, entries: AuditEntry[]): Promise<void> {
  const byChain = new Map<string, object[]>();
  for (const e of entries) {
    const chain = chainOf(e.tenantId);
    const rows = byChain.get(chain) ?? [];
    rows.push({
      tenant_id: e.tenantId,
      object_type: e.objectType,
      object_id: e.objectId,
      action: e.action,
      old_status: e.oldStatus ?? null,
      new_status: e.newStatus ?? null,
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      request_id: e.requestId ?? null,
      metadata: e.metadata ?? {},
    });
    byChain.set(chain, rows);
  }
  // Sorted chain order keeps two transactions touching the same chains from deadlocking.
  for (const chain of [...byChain.keys()].sort()) {
    await t.rows('SELECT audit_append($1::text, $2::jsonb)', [chain, JSON.stringify(byChain.get(chain))]);
  }
}

import type { Tx } from '../db/pool.ts';
import type { Actor, RequestContext } from '../core/context.ts';
import { microIso, rowMac, type AuditContent } from './mac.ts';
import type { AuditServices } from './services.ts';
import { deferAuditRows } from './store.ts';

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
export function auditIn(t: Tx, svc: Auditing, ctx: RequestContext, entry: Omit<AuditEntry, 'tenantId' | 'actor' | 'requestId'>): void {
  audit(t, svc, { ...entry, tenantId: ctx.tenant.id, actor: ctx.actor, requestId: ctx.requestId });
}

/** What writing an audit row takes of the services. */
export type Auditing = Pick<AuditServices, 'audit'>;

/** Each open transaction's queued rows (gone with the transaction object). */
const pendingOf = new WeakMap<Tx, AuditEntry[]>();

/**
 * Queues an audit row in the caller's transaction, so a change never commits without its row.
 * The rows are written just before COMMIT in one INSERT, unsealed and without any lock: each
 * carries the MAC the process computes over its contents (Postgres cannot), and the sealer chains
 * them in order once committed (src/audit/sealer.ts), kicked after this COMMIT (the kicks of
 * AUDIT_SEAL_DELAY_MS are sealed together).
 */
export function audit(t: Tx, svc: Auditing, entry: AuditEntry): void {
  let pending = pendingOf.get(t);
  if (!pending) {
    pending = [];
    pendingOf.set(t, pending);
    const entries = pending;
    t.beforeCommit(() => flush(t, svc, entries), 'seal');
  }
  pending.push(entry);
}

async function flush(t: Tx, svc: Auditing, entries: AuditEntry[]): Promise<void> {
  const { keys, sealer } = svc.audit;
  // The process's clock, not now(): the MAC covers created_at, so it must be known before the INSERT.
  const createdAt = microIso(new Date());
  const rows = entries.map((e) => {
    const content: AuditContent = {
      chain: chainOf(e.tenantId),
      tenant_id: e.tenantId,
      object_type: e.objectType,
      object_id: e.objectId,
      action: e.action,
      old_status: e.oldStatus ?? null,
      new_status: e.newStatus ?? null,
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      request_id: e.requestId ?? null,
      // As jsonb will give it back: what JSON keeps of it.
      metadata: JSON.parse(JSON.stringify(e.metadata ?? {})),
      created_at: createdAt,
    };
    return { ...content, mac: rowMac(keys.auditMacKey, content) };
  });
  deferAuditRows(t, JSON.stringify(rows));
  const chains = [...new Set(rows.map((r) => r.chain))];
  t.afterCommit(() => sealer.kick(chains));
}

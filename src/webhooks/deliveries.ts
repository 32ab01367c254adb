import type { Queryable, Tx } from '../db/pool.ts';
import { audit } from '../audit/append.ts';
import type { Actor } from '../core/context.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { WEBHOOK_DELIVERY, WEBHOOK_DLQ } from './outbox.ts';
import type { DeliveryStatus } from './schemas.ts';
import type { WebhookServices } from './services.ts';
import { attemptsOf, getDelivery, requeuePicked, type DbAttempt, type DbDelivery, type RequeueFilter } from './store.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function attemptView(a: DbAttempt) {
  return {
    attempt: a.attempt,
    url: a.url,
    status_code: a.status_code,
    latency_ms: a.latency_ms,
    response_body: a.response_body,
    error: a.error,
    request_headers: a.request_headers,
    created_at: a.created_at.toISOString(),
  };
}

export function deliveryView(d: DbDelivery, attempts: DbAttempt[] = []) {
  return {
    id: d.id,
    object: 'webhook_delivery',
    event_id: d.event_id,
    event_type: d.event_type,
    endpoint_id: d.endpoint_id,
    target: d.target,
    url: d.url,
    status: d.status,
    attempt_count: d.attempt_count,
    next_attempt_at: iso(d.next_attempt_at),
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    delivered_at: iso(d.delivered_at),
    created_at: d.created_at.toISOString(),
    updated_at: d.updated_at.toISOString(),
    attempts: attempts.map(attemptView),
  };
}

export type DeliveryView = ReturnType<typeof deliveryView>;

/** Fills in the attempts of a page of deliveries with one query. */
export async function withAttempts<T extends { id: string; attempts: unknown[] }>(db: Queryable, views: T[]): Promise<T[]> {
  if (views.length === 0) return views;
  const rows = await attemptsOf(db, views.map((v) => v.id));
  const byId = Map.groupBy(rows, (r) => r.delivery_id);
  return views.map((v) => ({ ...v, attempts: (byId.get(v.id) ?? []).map(attemptView) }));
}

/**
 * Queues deliveries again: each gets a new job id (so any older job for it becomes stale), its
 * dead-letter job is removed, and the change is audited, all in the caller's transaction.
 * Rows are picked FOR UPDATE SKIP LOCKED and must be in one of `statuses`, so two concurrent
 * replays of one dead letter queue it once. A delivery mid-attempt (leased) is never picked.
 */
export async function requeueDeliveries(t: Tx, svc: Pick<WebhookServices, 'boss' | 'audit'>, filter: RequeueFilter, actor: Actor, requestId: string | null, action: string) {
  const rows = await requeuePicked(t, filter);
  if (rows.length === 0) return rows;
  await enqueue(t, svc.boss, WEBHOOK_DELIVERY, rows.map((r) => ({ id: r.job_id, data: { deliveryId: r.id } })));
  const dlqIds = rows.map((r) => r.old_dlq_job_id).filter((x): x is string => x !== null);
  if (dlqIds.length) await svc.boss.deleteJob(WEBHOOK_DLQ.name, dlqIds, { db: t.jobs });
  for (const r of rows) {
    audit(t, svc, { tenantId: r.tenant_id, objectType: 'webhook_delivery', objectId: r.id, action, oldStatus: r.old_status, newStatus: 'pending', actor, requestId });
  }
  return rows;
}

/**
 * Queues one delivery again and answers it as the API shows it; when it is in none of
 * `statuses` (or leased by a worker), `refuse` turns its current status into the error.
 */
export async function requeueOne(
  t: Tx,
  svc: Pick<WebhookServices, 'boss' | 'audit'>,
  req: { id: string; tenantId: string | null; statuses: readonly DeliveryStatus[]; action: string; refuse: (status: DeliveryStatus) => Error },
  actor: Actor,
  requestId: string | null,
) {
  const requeued = await requeueDeliveries(t, svc, { tenantId: req.tenantId, statuses: req.statuses, ids: [req.id], limit: 1, resetRound: true }, actor, requestId, req.action);
  const d = await getDelivery(t, req.id, req.tenantId);
  if (requeued.length === 0) throw req.refuse(d.status);
  const [view] = await withAttempts(t, [deliveryView(d)]);
  return view!;
}

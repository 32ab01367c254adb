import type { Queryable, Tx } from '../db/pool.ts';
import { audit } from '../audit/append.ts';
import type { Actor, Services } from '../services.ts';
import { QUEUES } from '../jobs/boss.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { attemptsOf, getDelivery, requeuePicked } from './store.ts';

export const DELIVERY_STATUSES = ['pending', 'failed', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DbDelivery {
  id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string | null;
  target: 'endpoint' | 'payment_url';
  url: string;
  status: DeliveryStatus;
  attempt_count: number;
  round_attempts: number;
  next_attempt_at: Date | null;
  lease_until: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  job_id: string | null;
  dlq_job_id: string | null;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DbAttempt {
  delivery_id: string;
  attempt: number;
  url: string;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
  /** What the attempt sent besides the event body (its signature headers); null before migration 0012. */
  request_headers: Record<string, string> | null;
  created_at: Date;
}

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

export interface RequeueFilter {
  /** null: any tenant (operators). */
  tenantId: string | null;
  statuses: readonly DeliveryStatus[];
  ids?: string[] | undefined;
  endpointId?: string | undefined;
  since?: Date | undefined;
  limit: number;
  /** Replays and retries start a fresh round of attempts; reconciliation continues the round. */
  resetRound: boolean;
}

/**
 * Queues deliveries again: each gets a new job id (so any older job for it becomes stale), its
 * dead-letter job is removed, and the change is audited, all in the caller's transaction.
 * Rows are picked FOR UPDATE SKIP LOCKED and must be in one of `statuses`, so two concurrent
 * replays of one dead letter queue it once. A delivery mid-attempt (leased) is never picked.
 */
export async function requeueDeliveries(t: Tx, svc: Services, filter: RequeueFilter, actor: Actor, requestId: string | null, action: string) {
  const rows = await requeuePicked(t, filter);
  if (rows.length === 0) return rows;
  await enqueue(t, svc.boss, QUEUES.webhookDelivery, rows.map((r) => ({ id: r.job_id, data: { deliveryId: r.id } })));
  const dlqIds = rows.map((r) => r.old_dlq_job_id).filter((x): x is string => x !== null);
  if (dlqIds.length) await svc.boss.deleteJob(QUEUES.webhookDlq, dlqIds, { db: t.jobs });
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
  svc: Services,
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

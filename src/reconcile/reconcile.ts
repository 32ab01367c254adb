import type { Queryable } from '../db/pool.ts';
import { SYSTEM_ACTOR } from '../audit/append.ts';
import { lockPayment, overduePayments } from '../payments/store.ts';
import { transitionPayment } from '../payments/transition.ts';
import type { PaymentServices } from '../payments/services.ts';
import { clockNow, useClock } from '../tenants/clock.ts';
import { systemCtx } from '../tenants/tenants.ts';
import { requeueDeliveries } from '../webhooks/deliveries.ts';
import { WEBHOOK_DELIVERY } from '../webhooks/outbox.ts';
import { overdueDeliveries } from '../webhooks/store.ts';
import { insertRun, runsBefore, type ReconciliationRun } from './store.ts';

const BATCH = 500;
const LIVE_JOB_STATES = new Set(['created', 'retry', 'active']);

export function runView(r: ReconciliationRun) {
  return {
    id: Number(r.id),
    object: 'reconciliation_run',
    trigger: r.trigger,
    expired_payments: r.expired_payments,
    requeued_deliveries: r.requeued_deliveries,
    duration_ms: r.duration_ms,
    error: r.error,
    started_at: r.started_at.toISOString(),
    finished_at: r.finished_at.toISOString(),
  };
}

/** Pending and authorized payments past their TTL become expired (payment.expired), one transaction each. */
async function expireStalePayments(svc: PaymentServices): Promise<number> {
  const due = await overduePayments(svc.db, BATCH);
  let expired = 0;
  for (const { id, tenant_id } of due) {
    await svc.db.tx(async (t) => {
      const ctx = (await systemCtx(t, tenant_id))!;
      useClock(t, ctx.tenant);
      const p = await lockPayment(t, tenant_id, id);
      // Re-checked under the lock: it may have settled since the scan. On its tenant's clock.
      if ((p.status !== 'pending' && p.status !== 'authorized') || !p.expires_at || p.expires_at > clockNow(ctx.tenant)) return;
      await transitionPayment(t, svc, ctx, p, 'expired', { action: 'payment.expired_by_reconciliation' });
      expired++;
    });
  }
  return expired;
}

/**
 * Deliveries that should have been attempted a while ago but have no live job (a job lost to a
 * worker that died past its retries, or removed by hand) are queued again.
 */
async function requeueStuckDeliveries(svc: PaymentServices): Promise<number> {
  const stuck = await overdueDeliveries(svc.db, svc.config.reconcile.stuckDeliverySeconds, BATCH);
  // One commit's job owns all the deliveries it fanned out: each job is looked up once.
  const live = new Map<string, boolean>();
  for (const jobId of new Set(stuck.map((d) => d.job_id).filter((id) => id !== null))) {
    live.set(jobId, (await svc.boss.findJobs(WEBHOOK_DELIVERY.name, { id: jobId })).some((j) => LIVE_JOB_STATES.has(j.state)));
  }
  const orphaned = stuck.filter((d) => !(d.job_id && live.get(d.job_id))).map((d) => d.id);
  if (orphaned.length === 0) return 0;
  const requeued = await svc.db.tx((t) =>
    requeueDeliveries(t, svc, { tenantId: null, statuses: ['pending', 'failed'], ids: orphaned, limit: orphaned.length, resetRound: false }, SYSTEM_ACTOR, null, 'webhook_delivery.requeued_by_reconciliation'),
  );
  return requeued.length;
}

export async function reconcile(svc: PaymentServices, trigger: 'schedule' | 'admin'): Promise<ReconciliationRun> {
  const started = new Date();
  let expired = 0;
  let requeued = 0;
  let error: string | null = null;
  try {
    expired = await expireStalePayments(svc);
    requeued = await requeueStuckDeliveries(svc);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    svc.log.error({ component: 'reconcile', err }, 'reconciliation failed');
  }
  const finished = new Date();
  const run = await insertRun(svc.db, {
    started_at: started, finished_at: finished, duration_ms: finished.getTime() - started.getTime(), expired_payments: expired, requeued_deliveries: requeued, trigger, error,
  });
  if (expired || requeued) svc.log.info({ component: 'reconcile', expired, requeued }, 'reconciliation run');
  return run;
}

/** The history, newest first; the cursor is a run id. */
export async function listRuns(db: Queryable, limit: number, startingAfter: number | undefined) {
  const rows = await runsBefore(db, startingAfter, limit + 1);
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { object: 'list' as const, data: page.map(runView), has_more: hasMore, next_cursor: hasMore ? String(page.at(-1)!.id) : null };
}

import { jobStats } from '../jobs/stats.ts';
import type { BaseServices } from '../jobs/services.ts';
import { paymentCountsByStatus, recentPaymentCounts } from '../payments/store.ts';
import { tenantCounts } from '../tenants/store.ts';
import { attemptStatsLastHour, deliveryCountsByStatus } from '../webhooks/store.ts';

/**
 * The operator's view of the whole sandbox: payments by status and recent volume, webhook
 * health from the attempt log (last hour), the dead-letter depth, queues and the DB pool.
 */
export async function metricsSnapshot(svc: Pick<BaseServices, 'db' | 'boss' | 'config'>) {
  const [byStatus, recent, webhooks, deliveries, tenants, jobs] = await Promise.all([
    paymentCountsByStatus(svc.db),
    recentPaymentCounts(svc.db),
    attemptStatsLastHour(svc.db),
    deliveryCountsByStatus(svc.db),
    tenantCounts(svc.db),
    jobStats(svc.boss),
  ]);
  const count = (rows: Array<{ status: string; n: string }>) => Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const attempts = Number(webhooks.attempts);
  const deliveryCounts = count(deliveries);
  const pool = svc.db.pool;
  return {
    object: 'metrics',
    generated_at: new Date().toISOString(),
    tenants: { total: Number(tenants.total), disabled: Number(tenants.disabled) },
    payments: { by_status: count(byStatus), last_hour: Number(recent.hour), last_day: Number(recent.day) },
    webhooks: {
      attempts_last_hour: attempts,
      success_rate_last_hour: attempts ? Number(webhooks.ok) / attempts : null,
      latency_ms_last_hour: { p50: webhooks.p50, p95: webhooks.p95 },
      deliveries_by_status: deliveryCounts,
      dlq_depth: deliveryCounts.dead ?? 0,
    },
    jobs,
    db_pool: { max: svc.config.db.poolMax, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
    process: { rss_bytes: process.memoryUsage().rss, uptime_seconds: Math.round(process.uptime()) },
  };
}

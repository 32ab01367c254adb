import type { Services } from '../services.ts';
import { jobStats } from '../jobs/stats.ts';

/**
 * The operator's view of the whole sandbox: payments by status and recent volume, webhook
 * health from the attempt log (last hour), the dead-letter depth, queues and the DB pool.
 */
export async function metricsSnapshot(svc: Services) {
  const [byStatus, recent, webhooks, deliveries, tenants, jobs] = await Promise.all([
    svc.db.rows<{ status: string; n: string }>('SELECT status, count(*) AS n FROM payments GROUP BY status ORDER BY status'),
    svc.db.one<{ hour: string; day: string }>(
      `SELECT count(*) FILTER (WHERE created_at > now() - interval '1 hour') AS hour, count(*) AS day
         FROM payments WHERE created_at > now() - interval '1 day'`,
    ),
    svc.db.one<{ attempts: string; ok: string; p50: number | null; p95: number | null }>(
      `SELECT count(*) AS attempts, count(*) FILTER (WHERE status_code BETWEEN 200 AND 299) AS ok,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
         FROM webhook_attempts WHERE created_at > now() - interval '1 hour'`,
    ),
    svc.db.rows<{ status: string; n: string }>('SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status'),
    svc.db.one<{ total: string; disabled: string }>('SELECT count(*) AS total, count(*) FILTER (WHERE disabled) AS disabled FROM tenants'),
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

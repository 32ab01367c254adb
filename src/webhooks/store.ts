import type { Queryable } from '../db/pool.ts';
import { TENANT_SCOPE } from '../db/report-sql.ts';
import type { DbDelivery } from './deliveries.ts';

/**
 * What other capabilities ask of the deliveries and their attempts, which this folder owns: a
 * payment's timeline, reconciliation's scan, the dashboard's and the operator's numbers. (The
 * outbox writes deliveries through fanout.ts.)
 */

type AttemptStats = { attempts: string; ok: string; p50: number | null; p95: number | null };

/** The deliveries of these events of the tenant, oldest first. */
export function deliveriesOfEvents(db: Queryable, tenantId: string, eventIds: string[]): Promise<DbDelivery[]> {
  return db.rows<DbDelivery>(
    'SELECT * FROM webhook_deliveries WHERE tenant_id = $2::text AND event_id = ANY ($1::text[]) ORDER BY created_at, id',
    [eventIds, tenantId],
  );
}

/**
 * Deliveries, every tenant's, due for an attempt more than `overdueSeconds` ago and not leased by
 * a worker, the longest overdue first.
 */
export function overdueDeliveries(db: Queryable, overdueSeconds: number, limit: number): Promise<Array<{ id: string; job_id: string | null }>> {
  return db.rows<{ id: string; job_id: string | null }>(
    `SELECT id, job_id FROM webhook_deliveries
      WHERE status IN ('pending', 'failed')
        AND coalesce(next_attempt_at, created_at) < now() - $1::int * interval '1 second'
        AND (lease_until IS NULL OR lease_until < now())
      ORDER BY coalesce(next_attempt_at, created_at) LIMIT $2::int`,
    [overdueSeconds, limit],
  );
}

/** Every tenant's deliveries by status. */
export function deliveryCountsByStatus(db: Queryable): Promise<Array<{ status: string; n: string }>> {
  return db.rows<{ status: string; n: string }>('SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status');
}

/** Every tenant's attempts of the last hour: how many, how many got a 2xx, and their latency's median and 95th percentile. */
export function attemptStatsLastHour(db: Queryable): Promise<AttemptStats> {
  return db.one<AttemptStats>(
    `SELECT count(*) AS attempts, count(*) FILTER (WHERE status_code BETWEEN 200 AND 299) AS ok,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
       FROM webhook_attempts WHERE created_at > now() - interval '1 hour'`,
  );
}

/** As attemptStatsLastHour, for one tenant (`tenantId` null: every tenant). */
export function tenantAttemptStatsLastHour(db: Queryable, tenantId: string | null): Promise<AttemptStats> {
  return db.one<AttemptStats>(
    `SELECT count(*) AS attempts, count(*) FILTER (WHERE status_code BETWEEN 200 AND 299) AS ok,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
       FROM webhook_attempts WHERE ${TENANT_SCOPE} AND created_at >= now() - interval '1 hour'`,
    [tenantId],
  );
}

/** Attempts by minute over the last `minutes` minutes (this one included): how many, how many failed, their 95th percentile latency. */
export function attemptsPerMinute(db: Queryable, tenantId: string | null, minutes: number): Promise<Array<{ minute: Date; attempts: string; failed: string; p95: number | null }>> {
  return db.rows<{ minute: Date; attempts: string; failed: string; p95: number | null }>(
    `SELECT date_trunc('minute', created_at) AS minute, count(*) AS attempts,
            count(*) FILTER (WHERE status_code IS NULL OR status_code NOT BETWEEN 200 AND 299) AS failed,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
       FROM webhook_attempts
      WHERE ${TENANT_SCOPE} AND created_at >= date_trunc('minute', now()) - ($2::int - 1) * interval '1 minute'
      GROUP BY 1`,
    [tenantId, minutes],
  );
}

import type { Queryable } from '../db/pool.ts';
import { DAY_START, TENANT_SCOPE } from '../db/report-sql.ts';
import type { DbPayment } from './payments.ts';

/**
 * What other capabilities ask of the payments table, which this folder owns: checkout's guard
 * against a second attempt, the test event's sample, reconciliation's scan, the dashboard's and
 * the operator's numbers, and the Razorpay face's order filter.
 */

const SUCCEEDED = `status IN ('success', 'partially_refunded', 'refunded')`;
const SETTLED_BAD = `status IN ('failed', 'flagged', 'expired')`;

/** The order's newest payment still in progress (pending or authorized), if any. */
export function paymentInProgressForOrder(q: Queryable, tenantId: string, orderId: string): Promise<DbPayment | undefined> {
  return q.maybeOne<DbPayment>(
    `SELECT * FROM payments WHERE tenant_id = $2::text AND order_id = $1::text AND status IN ('pending', 'authorized') ORDER BY created_at DESC LIMIT 1`,
    [orderId, tenantId],
  );
}

/** The tenant's latest successful payment, if any. */
export function latestSuccessfulPayment(db: Queryable, tenantId: string): Promise<DbPayment | undefined> {
  return db.maybeOne<DbPayment>(
    `SELECT * FROM payments WHERE tenant_id = $1::text AND status = 'success' ORDER BY created_at DESC, id DESC LIMIT 1`,
    [tenantId],
  );
}

/** Pending and authorized payments past their TTL, every tenant's, the longest overdue first. */
export function overduePayments(db: Queryable, limit: number): Promise<Array<{ id: string; tenant_id: string }>> {
  return db.rows<{ id: string; tenant_id: string }>(
    `SELECT id, tenant_id FROM payments
      WHERE status IN ('pending', 'authorized') AND expires_at < now()
      ORDER BY expires_at LIMIT $1::int`,
    [limit],
  );
}

/** Every tenant's payments by status. */
export function paymentCountsByStatus(db: Queryable): Promise<Array<{ status: string; n: string }>> {
  return db.rows<{ status: string; n: string }>('SELECT status, count(*) AS n FROM payments GROUP BY status ORDER BY status');
}

/** How many payments every tenant made in the last hour and in the last day. */
export function recentPaymentCounts(db: Queryable): Promise<{ hour: string; day: string }> {
  return db.one<{ hour: string; day: string }>(
    `SELECT count(*) FILTER (WHERE created_at > now() - interval '1 hour') AS hour, count(*) AS day
       FROM payments WHERE created_at > now() - interval '1 day'`,
  );
}

export interface PaymentPeriodRow {
  period: 'today' | 'last_hour';
  currency: string | null;
  count: string;
  succeeded: string;
  bad: string;
  pending: string;
  volume: string | null;
}

/**
 * Today's (in time zone `tz`) and the last hour's payments by currency: how many, succeeded,
 * settled badly (failed, flagged, expired), in progress, and the amount succeeded. `tenantId`
 * null: every tenant.
 */
export function paymentPeriods(db: Queryable, tenantId: string | null, tz: string): Promise<PaymentPeriodRow[]> {
  return db.rows<PaymentPeriodRow>(
    `SELECT p.period, currency, count(*) AS count, count(*) FILTER (WHERE ${SUCCEEDED}) AS succeeded,
            count(*) FILTER (WHERE ${SETTLED_BAD}) AS bad, count(*) FILTER (WHERE status IN ('pending', 'authorized')) AS pending,
            sum(amount) FILTER (WHERE ${SUCCEEDED}) AS volume
       FROM payments
       CROSS JOIN LATERAL (VALUES ('today', created_at >= ${DAY_START}), ('last_hour', created_at >= now() - interval '1 hour')) AS p (period, inside)
      WHERE ${TENANT_SCOPE} AND created_at >= least(${DAY_START}, now() - interval '1 hour') AND p.inside
      GROUP BY p.period, currency`,
    [tenantId, tz],
  );
}

/** Today's badly settled payments by failure code (or status), the 20 most frequent. */
export function declinesToday(db: Queryable, tenantId: string | null, tz: string): Promise<Array<{ code: string; count: string }>> {
  return db.rows<{ code: string; count: string }>(
    `SELECT coalesce(failure_code, status) AS code, count(*) AS count FROM payments
      WHERE ${TENANT_SCOPE} AND created_at >= ${DAY_START} AND ${SETTLED_BAD}
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`,
    [tenantId, tz],
  );
}

/** Payments by minute and status over the last `minutes` minutes (this one included). */
export function paymentsPerMinute(db: Queryable, tenantId: string | null, minutes: number): Promise<Array<{ minute: Date; status: string; count: string }>> {
  return db.rows<{ minute: Date; status: string; count: string }>(
    `SELECT date_trunc('minute', created_at) AS minute, status, count(*) AS count FROM payments
      WHERE ${TENANT_SCOPE} AND created_at >= date_trunc('minute', now()) - ($2::int - 1) * interval '1 minute'
      GROUP BY 1, 2`,
    [tenantId, minutes],
  );
}

/**
 * A condition of a query on `orders`: whether one of the order's payments got as far as
 * authorized equals the boolean parameter `param` (Razorpay's `authorized` order filter).
 */
export const orderAuthorizedIs = (param: string) =>
  `${param}::boolean = EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id AND p.status IN ('authorized', 'success', 'partially_refunded', 'refunded'))`;

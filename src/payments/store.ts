import type { Queryable, Tx } from '../db/pool.ts';
import { ownedRow, replaceOwnedJson } from '../db/owned.ts';
import { listPage, type PageArgs, type PageOf } from '../db/paginate.ts';
import { DAY_START, TENANT_SCOPE } from '../db/report-sql.ts';
import type { Behaviour } from './instruments.ts';
import type { PaymentStatus } from './state-machine.ts';
import type { TransitionChanges } from './types.ts';

/**
 * The SQL of the payments table, which this folder owns: what its own rules write and read
 * (create, transition, the list and the stats), and what other capabilities ask of it (checkout's
 * guard against a second attempt, the test event's sample, reconciliation's scan, the dashboard's
 * and the operator's numbers, and the Razorpay face's order filter).
 */

export interface DbPayment {
  id: string;
  tenant_id: string;
  order_id: string | null;
  amount: string;
  currency: string;
  status: PaymentStatus;
  method: 'card' | 'upi' | 'netbanking' | 'wallet';
  card_brand: string | null;
  card_last4: string | null;
  card_bin: string | null;
  card_exp_month: number | null;
  card_exp_year: number | null;
  card_fingerprint: string | null;
  vpa: string | null;
  bank: string | null;
  wallet: string | null;
  test_behaviour: Behaviour;
  capture_method: 'automatic' | 'manual';
  amount_captured: string;
  amount_refunded: string;
  failure_code: string | null;
  failure_message: string | null;
  fraud_rule_id: string | null;
  fraud_action: 'flag' | 'block' | null;
  fraud_reason: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  customer_email: string | null;
  customer_contact: string | null;
  billing_country: string | null;
  webhook_url: string | null;
  expires_at: Date | null;
  /** The window of the face that took it (its checkout), from creation; null: the ledger's, from authorization. */
  authorization_window_seconds: number | null;
  authorized_at: Date | null;
  captured_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const SUCCEEDED = `status IN ('success', 'partially_refunded', 'refunded')`;
const SETTLED_BAD = `status IN ('failed', 'flagged', 'expired')`;

/** One of the tenant's payments; another tenant's is not found (404). */
export function getPayment(db: Queryable, tenantId: string, id: string): Promise<DbPayment> {
  return ownedRow<DbPayment>(db, 'payments', tenantId, id, { what: 'payment' });
}

/**
 * Row lock for a state change: concurrent transitions on one payment run one after the other,
 * and each sees the state the previous one committed.
 */
export function lockPayment(t: Tx, tenantId: string, id: string): Promise<DbPayment> {
  return ownedRow<DbPayment>(t, 'payments', tenantId, id, { what: 'payment', lock: true });
}

/** Whose payment this is (a job's payment; undefined when it is gone). */
export function paymentTenant(q: Queryable, id: string): Promise<{ tenant_id: string } | undefined> {
  return q.maybeOne<{ tenant_id: string }>('SELECT tenant_id FROM payments WHERE id = $1::text', [id]);
}

/** A payment as createPayment writes it: born pending, or (an outcome known at once) already in its settled state. */
export interface NewPayment {
  id: string;
  tenantId: string;
  orderId: string | null;
  amount: number;
  currency: string;
  method: DbPayment['method'];
  instrument: Pick<DbPayment, 'card_brand' | 'card_last4' | 'card_bin' | 'card_exp_month' | 'card_exp_year' | 'card_fingerprint' | 'vpa' | 'bank' | 'wallet'>;
  behaviour: Behaviour;
  capture: DbPayment['capture_method'];
  description: string | null;
  metadata: Record<string, unknown>;
  customerEmail: string | null;
  customerContact: string | null;
  billingCountry: string | null;
  webhookUrl: string | null;
  status: PaymentStatus;
  failure: { code: string; message: string } | null;
  amountCaptured: number | null;
  pendingTtlSeconds: number;
  authorizedTtlSeconds: number;
  /** A gateway face's own authorization window, counted from creation (CreateOptions.authorizationWindowSeconds). */
  authorizationWindowSeconds: number | null;
}

/** Inserts the payment; answers it with the expiry it would have had as pending (`pending_expires_at`). */
export function insertPayment(t: Tx, p: NewPayment): Promise<DbPayment & { pending_expires_at: Date }> {
  const c = p.instrument;
  return t.one<DbPayment & { pending_expires_at: Date }>(
    `INSERT INTO payments (id, tenant_id, order_id, amount, currency, status, method, card_brand, card_last4, card_bin,
                           card_exp_month, card_exp_year, card_fingerprint, vpa, bank, wallet, test_behaviour,
                           capture_method, description, metadata, customer_email, billing_country, webhook_url,
                           failure_code, failure_message, amount_captured, authorized_at, captured_at, expires_at, customer_contact,
                           authorization_window_seconds)
     VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::text, $24::text, $6::text, $7::text, $8::text, $9::text,
             $10::smallint, $11::smallint, $12::text, $13::text, $14::text, $15::text, $16::text,
             $17::text, $18::text, $19::jsonb, $20::text, $21::text, $22::text,
             $25::text, $26::text, coalesce($27::bigint, 0),
             CASE WHEN $24::text = 'authorized' THEN sandpay_now() END,
             CASE WHEN $24::text = 'success' THEN sandpay_now() END,
             CASE $24::text WHEN 'pending' THEN sandpay_now() + $23::int * interval '1 second'
                            WHEN 'authorized' THEN sandpay_now() + coalesce($30::int, $28::int) * interval '1 second' END,
             $29::text, $30::int)
     RETURNING *, sandpay_now() + $23::int * interval '1 second' AS pending_expires_at`,
    [
      p.id, p.tenantId, p.orderId, p.amount, p.currency, p.method, c.card_brand, c.card_last4, c.card_bin,
      c.card_exp_month, c.card_exp_year, c.card_fingerprint, c.vpa, c.bank, c.wallet, p.behaviour,
      p.capture, p.description, JSON.stringify(p.metadata), p.customerEmail,
      p.billingCountry, p.webhookUrl, p.pendingTtlSeconds,
      p.status, p.failure?.code ?? null, p.failure?.message ?? null,
      p.amountCaptured, p.authorizedTtlSeconds, p.customerContact, p.authorizationWindowSeconds,
    ],
  );
}

/**
 * Writes a move of the (already locked) payment to `to`, with what the move changes; an
 * authorization expires `authorizedTtlSeconds` from now (or, for a payment with its face's own
 * window, that window after its creation), any other status does not expire.
 */
export function setPaymentStatus(t: Tx, id: string, to: PaymentStatus, changes: TransitionChanges, authorizedTtlSeconds: number): Promise<DbPayment> {
  return t.one<DbPayment>(
    `UPDATE payments SET
        status = $2::text,
        failure_code = coalesce($3::text, failure_code),
        failure_message = coalesce($4::text, failure_message),
        amount_captured = coalesce($5::bigint, amount_captured),
        amount_refunded = coalesce($6::bigint, amount_refunded),
        fraud_action = coalesce($7::text, fraud_action),
        fraud_rule_id = coalesce($8::text, fraud_rule_id),
        fraud_reason = coalesce($9::text, fraud_reason),
        authorized_at = CASE WHEN $2::text = 'authorized' THEN sandpay_now() ELSE authorized_at END,
        captured_at = CASE WHEN $2::text = 'success' THEN sandpay_now() ELSE captured_at END,
        expires_at = CASE WHEN $2::text <> 'authorized' THEN NULL
                          WHEN authorization_window_seconds IS NOT NULL THEN created_at + authorization_window_seconds * interval '1 second'
                          ELSE sandpay_now() + $10::int * interval '1 second' END,
        updated_at = sandpay_now()
      WHERE id = $1::text
      RETURNING *`,
    [
      id,
      to,
      changes.failure?.code ?? null,
      changes.failure?.message ?? null,
      changes.amountCaptured ?? null,
      changes.amountRefunded ?? null,
      changes.fraud?.action ?? null,
      changes.fraud?.ruleId ?? null,
      changes.fraud?.reason ?? null,
      authorizedTtlSeconds,
    ],
  );
}

/** Replaces the payment's metadata under its lock: the row before and after. */
export function replacePaymentMetadata(t: Tx, tenantId: string, id: string, metadata: Record<string, unknown>): Promise<{ before: DbPayment; after: DbPayment }> {
  return replaceOwnedJson<DbPayment>(t, 'payments', 'metadata', tenantId, id, metadata, 'payment');
}

/**
 * The tenant's payments by status and currency: how many, their amount and the amount refunded,
 * from the maintained aggregate (migration 0042): the folded totals plus the changes not folded
 * yet, so exact, and reading at most a minute of the tenant's changes however long its history.
 */
export function paymentTotals(db: Queryable, tenantId: string): Promise<Array<{ status: PaymentStatus; currency: string; count: string; amount: string; refunded: string }>> {
  return db.rows<{ status: PaymentStatus; currency: string; count: string; amount: string; refunded: string }>(
    `SELECT status, currency, sum(count) AS count, sum(amount) AS amount, sum(refunded) AS refunded
       FROM (SELECT status, currency, count, amount, refunded FROM payment_totals WHERE tenant_id = $1::text
             UNION ALL
             SELECT status, currency, count, amount, refunded FROM payment_total_deltas WHERE tenant_id = $1::text) t
      GROUP BY status, currency HAVING sum(count) <> 0 ORDER BY status, currency`,
    [tenantId],
  );
}

/**
 * Folds every change recorded so far into payment_totals, in one statement (rows a transaction
 * still running adds are folded next time): the job's work, each minute.
 */
export async function foldPaymentTotals(db: Queryable): Promise<number> {
  const [row] = await db.rows<{ n: string }>(
    `WITH d AS (DELETE FROM payment_total_deltas RETURNING tenant_id, status, currency, count, amount, refunded),
          s AS (SELECT tenant_id, status, currency, sum(count) AS count, sum(amount) AS amount, sum(refunded) AS refunded FROM d GROUP BY 1, 2, 3),
          up AS (INSERT INTO payment_totals (tenant_id, status, currency, count, amount, refunded) SELECT * FROM s
                   ON CONFLICT (tenant_id, status, currency) DO UPDATE
                   SET count = payment_totals.count + excluded.count, amount = payment_totals.amount + excluded.amount,
                       refunded = payment_totals.refunded + excluded.refunded
                 RETURNING 1)
     SELECT count(*) AS n FROM d`,
  );
  return Number(row?.n ?? 0);
}

/** What a list of payments may be narrowed to. */
export interface PaymentFilter {
  status?: PaymentStatus | undefined;
  createdGte?: Date | undefined;
  createdLte?: Date | undefined;
  method?: DbPayment['method'] | undefined;
  amountGte?: number | undefined;
  amountLte?: number | undefined;
  customerEmail?: string | undefined;
  orderId?: string | undefined;
}

/** A page of the tenant's payments, newest first, in the asking face's paging dialect. */
export function listPayments<P extends PageArgs, T>(db: Queryable, tenantId: string, filter: PaymentFilter, page: P, view: (p: DbPayment) => T): Promise<PageOf<P, T>> {
  const filters = {
    status: filter.status, 'created_at >=': filter.createdGte, 'created_at <=': filter.createdLte, method: filter.method,
    'amount >=': filter.amountGte, 'amount <=': filter.amountLte, customer_email: filter.customerEmail?.toLowerCase(), order_id: filter.orderId,
  };
  return listPage(db, { table: 'payments', tenantId, filters }, page, view);
}

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

/**
 * Pending and authorized payments past their TTL, every tenant's, the longest overdue first. A
 * tenant whose clock runs ahead (migration 0037) has its payments' times on that clock: theirs
 * are past due once its clock passes them, so those tenants are compared on their own clock.
 */
export function overduePayments(db: Queryable, limit: number): Promise<Array<{ id: string; tenant_id: string }>> {
  // joins tenants (owned by src/tenants): the few tenants whose clock is ahead (tenants_clock_ahead_idx),
  // in the one scan. Both halves keep to payments_expiry_idx: the real-time one as before, the
  // other only between now and each such tenant's clock.
  return db.rows<{ id: string; tenant_id: string }>(
    `(SELECT id, tenant_id, expires_at FROM payments
       WHERE status IN ('pending', 'authorized') AND expires_at < now()
       ORDER BY expires_at LIMIT $1::int)
     UNION ALL
     (SELECT p.id, p.tenant_id, p.expires_at FROM tenants c JOIN payments p ON p.tenant_id = c.id
       WHERE c.clock_offset_ms > 0 AND p.status IN ('pending', 'authorized')
         AND p.expires_at >= now() AND p.expires_at < now() + c.clock_offset_ms * interval '1 millisecond'
       ORDER BY p.expires_at LIMIT $1::int)
     ORDER BY expires_at LIMIT $1::int`,
    [limit],
  );
}

/** When the tenant's next pending or authorized payment expires, if at or before `upTo` (its clock's time). */
export async function nextPaymentExpiry(db: Queryable, tenantId: string, upTo: Date): Promise<Date | null> {
  const row = await db.one<{ at: Date | null }>(
    `SELECT min(expires_at) AS at FROM payments
      WHERE tenant_id = $1::text AND status IN ('pending', 'authorized') AND expires_at <= $2::timestamptz`,
    [tenantId, upTo],
  );
  return row.at;
}

/** The tenant's pending and authorized payments expiring at or before `at`, the earliest first. */
export function paymentsExpiringBy(db: Queryable, tenantId: string, at: Date, limit: number): Promise<Array<{ id: string }>> {
  return db.rows<{ id: string }>(
    `SELECT id FROM payments
      WHERE tenant_id = $1::text AND status IN ('pending', 'authorized') AND expires_at <= $2::timestamptz
      ORDER BY expires_at, id LIMIT $3::int`,
    [tenantId, at, limit],
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
       CROSS JOIN LATERAL (VALUES ('today', created_at >= ${DAY_START}), ('last_hour', created_at >= sandpay_now() - interval '1 hour')) AS p (period, inside)
      WHERE ${TENANT_SCOPE} AND created_at >= least(${DAY_START}, sandpay_now() - interval '1 hour') AND p.inside
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
      WHERE ${TENANT_SCOPE} AND created_at >= date_trunc('minute', sandpay_now()) - ($2::int - 1) * interval '1 minute'
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

/** Every payment of these orders, oldest first (a face that shows an order with its attempts). */
export function paymentsOfOrders(db: Queryable, tenantId: string, orderIds: readonly string[]): Promise<DbPayment[]> {
  return db.rows<DbPayment>(
    'SELECT * FROM payments WHERE tenant_id = $1::text AND order_id = ANY($2::text[]) ORDER BY created_at, id',
    [tenantId, orderIds],
  );
}

/** The tenant's payments among these ids (a face that shows many refunds with their payments in one query). */
export function paymentsByIds(db: Queryable, tenantId: string, ids: readonly string[]): Promise<DbPayment[]> {
  return db.rows<DbPayment>('SELECT * FROM payments WHERE tenant_id = $1::text AND id = ANY($2::text[])', [tenantId, ids]);
}

/**
 * The days (YYYY-MM-DD in `tz`) on which the tenant captured payments, newest first: a face's
 * settlements (Razorpay's daily settlement of a day's captures).
 */
export function captureDays(db: Queryable, tenantId: string, tz: string): Promise<Array<{ day: string }>> {
  return db.rows(
    `SELECT DISTINCT to_char(captured_at AT TIME ZONE $2::text, 'YYYY-MM-DD') AS day FROM payments
      WHERE tenant_id = $1::text AND captured_at IS NOT NULL ORDER BY day DESC`,
    [tenantId, tz],
  );
}

/** The tenant's payments captured in [from, to), oldest first. */
export function paymentsCapturedBetween(db: Queryable, tenantId: string, from: Date, to: Date): Promise<DbPayment[]> {
  return db.rows<DbPayment>(
    `SELECT * FROM payments WHERE tenant_id = $1::text AND captured_at >= $2::timestamptz AND captured_at < $3::timestamptz ORDER BY captured_at, id`,
    [tenantId, from, to],
  );
}

/** The tenants that captured payments in [from, to) (a face's daily settlement run). */
export function tenantsCapturingBetween(db: Queryable, from: Date, to: Date): Promise<Array<{ tenant_id: string }>> {
  return db.rows(`SELECT DISTINCT tenant_id FROM payments WHERE captured_at >= $1::timestamptz AND captured_at < $2::timestamptz`, [from, to]);
}

import type { Queryable, Tx } from '../db/pool.ts';
import { ownedRow, replaceOwnedJson } from '../db/owned.ts';
import { listPage, type PageArgs, type PageOf } from '../db/paginate.ts';
import { DAY_START, TENANT_SCOPE } from '../db/report-sql.ts';
import type { RefundStatus } from '../payments/state-machine.ts';

/**
 * The SQL of the refunds table, which this folder owns: its own rules' statements (open, settle,
 * the list) and what other capabilities ask of it (the dashboard's numbers).
 */

export interface DbRefund {
  id: string;
  tenant_id: string;
  payment_id: string;
  amount: string;
  currency: string;
  status: RefundStatus;
  reason: string | null;
  metadata: Record<string, unknown>;
  failure_code: string | null;
  /** Razorpay's refund receipt (the merchant's reference), shown by the /v1 face. */
  receipt: string | null;
  /** The speed asked for (Razorpay's speed_requested). */
  speed: RefundSpeed;
  /** The X-Refund-Idempotency value it was made with (Razorpay face), if any. */
  idempotency_key: string | null;
  processed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** One of the tenant's refunds; another tenant's is not found (404). */
export function getRefund(db: Queryable, tenantId: string, id: string): Promise<DbRefund> {
  return ownedRow<DbRefund>(db, 'refunds', tenantId, id, { what: 'refund' });
}

/** The refund under its row lock (its payment is locked first). */
export function lockRefund(t: Tx, id: string): Promise<DbRefund> {
  return t.one<DbRefund>('SELECT * FROM refunds WHERE id = $1::text FOR UPDATE', [id]);
}

/** Whose refund this is (a job's refund; undefined when it is gone). */
export function refundTenant(q: Queryable, id: string): Promise<{ tenant_id: string } | undefined> {
  return q.maybeOne<{ tenant_id: string }>('SELECT tenant_id FROM refunds WHERE id = $1::text', [id]);
}

/** How much of the payment is refunded or being refunded (its pending and processed refunds). */
export function reservedForRefunds(t: Tx, paymentId: string): Promise<{ reserved: string }> {
  return t.one<{ reserved: string }>(
    `SELECT coalesce(sum(amount), 0) AS reserved FROM refunds WHERE payment_id = $1::text AND status IN ('pending', 'processed')`,
    [paymentId],
  );
}

export interface NewRefund {
  id: string;
  tenantId: string;
  paymentId: string;
  amount: number;
  currency: string;
  reason: string | null;
  metadata: Record<string, unknown>;
  receipt: string | null;
  speed: RefundSpeed;
  idempotencyKey: string | null;
}

export type RefundSpeed = 'normal' | 'optimum';

/**
 * The tenant's refund made with this idempotency key, under a transaction lock on the key: of two
 * requests with one key, the second waits for the first's commit and then finds its refund.
 */
export async function refundByIdempotencyKey(t: Tx, tenantId: string, key: string): Promise<DbRefund | undefined> {
  await t.one('SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))', [`refund-idempotency:${tenantId}:${key}`]);
  return t.maybeOne<DbRefund>('SELECT * FROM refunds WHERE tenant_id = $1::text AND idempotency_key = $2::text', [tenantId, key]);
}

/** Inserts a pending refund. */
export function insertRefund(t: Tx, r: NewRefund): Promise<DbRefund> {
  return t.one<DbRefund>(
    `INSERT INTO refunds (id, tenant_id, payment_id, amount, currency, status, reason, metadata, receipt, speed, idempotency_key)
     VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::text, 'pending', $6::text, $7::jsonb, $8::text, $9::text, $10::text) RETURNING *`,
    [r.id, r.tenantId, r.paymentId, r.amount, r.currency, r.reason, JSON.stringify(r.metadata), r.receipt, r.speed, r.idempotencyKey],
  );
}

/** Settles the (locked) refund: processed now, or failed with `failureCode`. */
export function setRefundStatus(t: Tx, id: string, to: Exclude<RefundStatus, 'pending'>, failureCode: string | null): Promise<DbRefund> {
  return t.one<DbRefund>(
    `UPDATE refunds SET status = $2::text, failure_code = $3::text, processed_at = CASE WHEN $2::text = 'processed' THEN sandpay_now() END,
            updated_at = sandpay_now() WHERE id = $1::text RETURNING *`,
    [id, to, failureCode],
  );
}

/** Replaces the refund's metadata under its lock: the row before and after. */
export function replaceRefundMetadata(t: Tx, tenantId: string, id: string, metadata: Record<string, unknown>): Promise<{ before: DbRefund; after: DbRefund }> {
  return replaceOwnedJson<DbRefund>(t, 'refunds', 'metadata', tenantId, id, metadata, 'refund');
}

/** A page of the tenant's refunds (of one payment, with `paymentId`; created in a range), newest first, in the asking face's paging dialect. */
export function listRefunds<P extends PageArgs, T>(
  db: Queryable, tenantId: string,
  filter: { status?: RefundStatus | undefined; paymentId?: string | undefined; createdGte?: Date | undefined; createdLte?: Date | undefined },
  page: P, view: (r: DbRefund) => T,
): Promise<PageOf<P, T>> {
  const filters = { status: filter.status, payment_id: filter.paymentId, 'created_at >=': filter.createdGte, 'created_at <=': filter.createdLte };
  return listPage(db, { table: 'refunds', tenantId, filters }, page, view);
}

/** Today's (in time zone `tz`) refunds by status and currency: how many and how much. `tenantId` null: every tenant. */
export function refundsToday(db: Queryable, tenantId: string | null, tz: string): Promise<Array<{ status: string; currency: string; count: string; amount: string }>> {
  return db.rows<{ status: string; currency: string; count: string; amount: string }>(
    `SELECT status, currency, count(*) AS count, sum(amount) AS amount FROM refunds
      WHERE ${TENANT_SCOPE} AND created_at >= ${DAY_START} GROUP BY status, currency`,
    [tenantId, tz],
  );
}

/** The days (YYYY-MM-DD in `tz`) on which the tenant's refunds were processed, newest first (a face's daily settlements). */
export function refundDays(db: Queryable, tenantId: string, tz: string): Promise<Array<{ day: string }>> {
  return db.rows(
    `SELECT DISTINCT to_char(processed_at AT TIME ZONE $2::text, 'YYYY-MM-DD') AS day FROM refunds
      WHERE tenant_id = $1::text AND status = 'processed' AND processed_at IS NOT NULL ORDER BY day DESC`,
    [tenantId, tz],
  );
}

/** The tenant's refunds processed in [from, to), oldest first. */
export function refundsProcessedBetween(db: Queryable, tenantId: string, from: Date, to: Date): Promise<DbRefund[]> {
  return db.rows<DbRefund>(
    `SELECT * FROM refunds WHERE tenant_id = $1::text AND status = 'processed' AND processed_at >= $2::timestamptz AND processed_at < $3::timestamptz ORDER BY processed_at, id`,
    [tenantId, from, to],
  );
}

/** The tenants whose refunds were processed in [from, to) (a face's daily settlement run). */
export function tenantsRefundingBetween(db: Queryable, from: Date, to: Date): Promise<Array<{ tenant_id: string }>> {
  return db.rows(`SELECT DISTINCT tenant_id FROM refunds WHERE status = 'processed' AND processed_at >= $1::timestamptz AND processed_at < $2::timestamptz`, [from, to]);
}

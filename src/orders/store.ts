import type { Queryable, Tx } from '../db/pool.ts';
import { ownedRow, replaceOwnedJson } from '../db/owned.ts';
import { listPage, type Condition, type PageArgs, type PageOf } from '../db/paginate.ts';

/** The SQL of the orders table, which this folder owns: its own rules' statements and what other capabilities ask of it. */

export interface DbOrder {
  id: string;
  tenant_id: string;
  amount: string;
  currency: string;
  amount_paid: string;
  status: 'created' | 'attempted' | 'paid';
  attempts: number;
  receipt: string | null;
  notes: Record<string, unknown>;
  /** How the hosted checkout captures this order's payments (Razorpay's payment_capture); null: automatic. */
  capture_method: 'automatic' | 'manual' | null;
  /** Whether payments may each pay part of it (Razorpay's partial_payment): paid once they add up to the amount. */
  partial_payment: boolean;
  /** With partial_payment: the least its first payment may be (null: any amount). */
  first_payment_min_amount: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewOrder {
  id: string;
  tenantId: string;
  amount: number;
  currency: string;
  receipt: string | null;
  notes: Record<string, unknown>;
  captureMethod: DbOrder['capture_method'];
  partialPayment: boolean;
  firstPaymentMinAmount: number | null;
}

export function insertOrder(t: Tx, o: NewOrder): Promise<DbOrder> {
  return t.one<DbOrder>(
    `INSERT INTO orders (id, tenant_id, amount, currency, receipt, notes, capture_method, partial_payment, first_payment_min_amount)
     VALUES ($1::text, $2::text, $3::bigint, $4::text, $5::text, $6::jsonb, $7::text, $8::boolean, $9::bigint) RETURNING *`,
    [o.id, o.tenantId, o.amount, o.currency, o.receipt, JSON.stringify(o.notes), o.captureMethod, o.partialPayment, o.firstPaymentMinAmount],
  );
}

/**
 * Whether the tenant has an order with this receipt, under a transaction lock on the receipt: of
 * two creations with one receipt, the second waits for the first's commit and then sees its order.
 */
export async function receiptTaken(t: Tx, tenantId: string, receipt: string): Promise<boolean> {
  await t.one('SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))', [`order-receipt:${tenantId}:${receipt}`]);
  return (await t.maybeOne('SELECT 1 FROM orders WHERE tenant_id = $1::text AND receipt = $2::text LIMIT 1', [tenantId, receipt])) !== undefined;
}

/** One of the tenant's orders; another tenant's is not found (404). */
export function getOrder(db: Queryable, tenantId: string, id: string): Promise<DbOrder> {
  return ownedRow<DbOrder>(db, 'orders', tenantId, id, { what: 'order' });
}

/** Locks the order for a payment attempt or before one settles; another tenant's order is simply not found. */
export function lockOrder(t: Tx, tenantId: string, id: string): Promise<DbOrder> {
  return ownedRow<DbOrder>(t, 'orders', tenantId, id, { what: 'order', lock: true, param: 'order_id' });
}

/** The tenant's orders among these ids (a face that lists objects made of orders). */
export function ordersByIds(db: Queryable, tenantId: string, ids: readonly string[]): Promise<DbOrder[]> {
  return db.rows<DbOrder>('SELECT * FROM orders WHERE tenant_id = $1::text AND id = ANY($2::text[])', [tenantId, ids]);
}

/** A new amount and currency for an order nobody has paid (locked by the caller); the row after. */
export function repriceOrderRow(t: Tx, id: string, amount: number, currency: string): Promise<DbOrder> {
  return t.one<DbOrder>(
    `UPDATE orders SET amount = $2::bigint, currency = $3::text, updated_at = sandpay_now() WHERE id = $1::text AND status <> 'paid' RETURNING *`,
    [id, amount, currency],
  );
}

/** Counts a payment attempt: a created order becomes attempted. */
export function countAttempt(t: Tx, id: string): Promise<DbOrder> {
  return t.one<DbOrder>(
    `UPDATE orders SET attempts = attempts + 1, status = CASE WHEN status = 'created' THEN 'attempted' ELSE status END,
            updated_at = sandpay_now() WHERE id = $1::text RETURNING *`,
    [id],
  );
}

/**
 * Counts `amount` more paid: the order is paid once its payments add up to its amount (at once,
 * unless it takes partial payments), attempted until then; undefined when it was paid already.
 */
export function markPaid(t: Tx, id: string, amount: number): Promise<DbOrder | undefined> {
  return t.maybeOne<DbOrder>(
    `UPDATE orders SET status = CASE WHEN amount_paid + $2::bigint >= amount THEN 'paid' ELSE 'attempted' END,
            amount_paid = amount_paid + $2::bigint, updated_at = sandpay_now()
      WHERE id = $1::text AND status <> 'paid' RETURNING *`,
    [id, amount],
  );
}

/** Replaces the order's notes (its metadata) under its lock: the row before and after. */
export function replaceOrderNotes(t: Tx, tenantId: string, id: string, notes: Record<string, unknown>): Promise<{ before: DbOrder; after: DbOrder }> {
  return replaceOwnedJson<DbOrder>(t, 'orders', 'notes', tenantId, id, notes, 'order');
}

/**
 * A page of the tenant's orders, newest first, in the asking face's paging dialect. `conditions`
 * come from another capability's store (payments' orderAuthorizedIs, for Razorpay's filter).
 */
export function listOrders<P extends PageArgs, T>(
  db: Queryable, tenantId: string, filter: { status?: DbOrder['status'] | undefined; receipt?: string | undefined }, page: P, view: (o: DbOrder) => T, conditions: Condition[] = [],
): Promise<PageOf<P, T>> {
  return listPage(db, { table: 'orders', tenantId, filters: { status: filter.status, receipt: filter.receipt }, conditions }, page, view);
}

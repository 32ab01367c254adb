import { badRequest, DomainError } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { capturePayment } from '../../payments/actions.ts';
import { lockPayment, paymentView, type DbPayment } from '../../payments/payments.ts';
import { orderAuthorizedIs } from '../../payments/store.ts';
import { createRefund, refundView, type DbRefund } from '../../refunds/refunds.ts';
import type { RefundInput } from '../../refunds/schemas.ts';
import type { Ctx, Services } from '../../services.ts';
import { orderView, type DbOrder } from '../../orders/orders.ts';
import { rzpOrder, rzpPayment, rzpRefund } from './entities.ts';
import type { CollectionQuery, ListOrdersQuery, RzpOrder, RzpPayment, RzpRefund } from './schemas.ts';

/**
 * The few operations whose Razorpay rules differ from the native ones, on top of the native
 * domain functions (so events, audit rows and state checks are the same whichever face asked),
 * and Razorpay's skip/count lists.
 */

/**
 * One page of a tenant's rows, newest first, as Razorpay pages: `count` rows after `skip`. Rows
 * come off the (tenant_id, created_at DESC, id DESC) index, and skip is bounded by the query
 * schema (SKIP_MAX), so no page reads more than SKIP_MAX + count index entries.
 */
export async function collection<R, T>(
  db: Queryable,
  table: 'orders' | 'payments' | 'refunds',
  tenantId: string,
  q: CollectionQuery,
  view: (row: R) => T,
  /** More conditions, each with its value as `$n` (one whose value is undefined is left out). */
  filters: Array<{ sql: (param: string) => string; value: unknown }> = [],
) {
  const params: unknown[] = [q.count, q.skip, tenantId];
  const where = ['tenant_id = $3::text'];
  const all = [
    { sql: (x: string) => `created_at >= ${x}::timestamptz`, value: q.from },
    { sql: (x: string) => `created_at <= ${x}::timestamptz`, value: q.to },
    ...filters,
  ];
  for (const f of all) {
    if (f.value === undefined) continue;
    params.push(f.value);
    where.push(f.sql(`$${params.length}`));
  }
  const rows = await db.rows<R>(
    `SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $1::int OFFSET $2::int`,
    params,
  );
  const items = rows.map(view);
  return { entity: 'collection' as const, count: items.length, items };
}

export const rzpOrderRow = (o: DbOrder): RzpOrder => rzpOrder(orderView(o));
export const rzpPaymentRow = (p: DbPayment): RzpPayment => rzpPayment(paymentView(p));
export const rzpRefundRow = (r: DbRefund): RzpRefund => rzpRefund(refundView(r), r.receipt);

/** GET /v1/orders: by receipt, and `authorized` (whether a payment of the order got that far). */
export function listOrdersAsRazorpay(db: Queryable, tenantId: string, q: ListOrdersQuery) {
  const authorized = q.authorized === undefined ? undefined : q.authorized === '1' || q.authorized === 'true';
  return collection(db, 'orders', tenantId, q, rzpOrderRow, [
    { sql: (x) => `receipt = ${x}::text`, value: q.receipt },
    { sql: orderAuthorizedIs, value: authorized },
  ]);
}

const CAPTURED = new Set(['success', 'partially_refunded', 'refunded']);

/**
 * Razorpay captures the whole authorized amount, in the payment's currency: anything else is a
 * 400 there, so here too (the native capture also takes part of it).
 */
export async function captureAsRazorpay(t: Tx, svc: Services, ctx: Ctx, id: string, amount: number, currency: string | undefined): Promise<DbPayment> {
  const p = await lockPayment(t, ctx.tenant.id, id);
  if (CAPTURED.has(p.status)) throw badRequest('payment_already_captured', 'This payment has already been captured');
  if (p.status !== 'authorized') throw badRequest('payment_not_authorized', 'Only payments which have been authorized and not yet captured can be captured');
  if (currency !== undefined && currency !== p.currency) throw badRequest('currency_mismatch', `The currency should be the payment's currency (${p.currency})`, 'currency');
  if (amount !== Number(p.amount)) throw badRequest('capture_amount_mismatch', 'Capture amount must be equal to the amount authorized', 'amount');
  return capturePayment(t, svc, ctx, id, amount);
}

/** A native refund, with Razorpay's wording for the refusals a Razorpay integration checks for. */
export async function refundAsRazorpay(
  t: Tx, svc: Services, ctx: Ctx, paymentId: string, input: { amount?: number | undefined; notes?: RefundInput['metadata']; receipt?: string | undefined },
): Promise<DbRefund> {
  try {
    return await createRefund(t, svc, ctx, paymentId, { amount: input.amount, metadata: input.notes, ...(input.receipt !== undefined ? { receipt: input.receipt } : {}) });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    switch (err.code) {
      case 'amount_too_large':
        throw badRequest('amount_too_large', `The refund amount provided is greater than amount not refunded on the payment: ${err.message}`, 'amount');
      case 'payment_fully_refunded':
        throw badRequest('payment_fully_refunded', 'The payment has been fully refunded already');
      case 'payment_not_refundable':
        throw badRequest('payment_not_captured', 'Only captured payments can be refunded');
      default:
        throw err;
    }
  }
}

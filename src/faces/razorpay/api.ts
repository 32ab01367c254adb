import { badRequest, DomainError } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { capturePayment } from '../../payments/actions.ts';
import { paymentView, type DbPayment } from '../../payments/payments.ts';
import { lockPayment, orderAuthorizedIs } from '../../payments/store.ts';
import { createRefund, refundView, type DbRefund } from '../../refunds/refunds.ts';
import type { RefundInput } from '../../refunds/schemas.ts';
import type { Ctx, Services } from '../../services.ts';
import { orderView, type DbOrder } from '../../orders/orders.ts';
import { listOrders } from '../../orders/store.ts';
import { rzpOrder, rzpPayment, rzpRefund } from './entities.ts';
import type { ListOrdersQuery, RzpOrder, RzpPayment, RzpRefund } from './schemas.ts';
import { CAPTURED_STATUSES } from '../../payments/state-machine.ts';

/**
 * The few operations whose Razorpay rules differ from the native ones, on top of the native
 * domain functions (so events, audit rows and state checks are the same whichever face asked),
 * and Razorpay's skip/count lists.
 */

/** A skip page's rows as Razorpay answers a list. */
export function collection<T>(items: T[]) {
  return { entity: 'collection' as const, count: items.length, items };
}

export const rzpOrderRow = (o: DbOrder): RzpOrder => rzpOrder(orderView(o));
export const rzpPaymentRow = (p: DbPayment): RzpPayment => rzpPayment(paymentView(p));
export const rzpRefundRow = (r: DbRefund): RzpRefund => rzpRefund(refundView(r), r.receipt);

/** GET /v1/orders: by receipt, and `authorized` (whether a payment of the order got that far). */
export function listOrdersAsRazorpay(db: Queryable, tenantId: string, q: ListOrdersQuery) {
  const authorized = q.authorized === undefined ? undefined : q.authorized === '1' || q.authorized === 'true';
  return listOrders(db, tenantId, { receipt: q.receipt }, q, rzpOrderRow, [{ sql: orderAuthorizedIs, value: authorized }]).then(collection);
}


/**
 * Razorpay captures the whole authorized amount, in the payment's currency: anything else is a
 * 400 there, so here too (the native capture also takes part of it).
 */
export async function captureAsRazorpay(t: Tx, svc: Services, ctx: Ctx, id: string, amount: number, currency: string | undefined): Promise<DbPayment> {
  const p = await lockPayment(t, ctx.tenant.id, id);
  if (CAPTURED_STATUSES.has(p.status)) throw badRequest('payment_already_captured', 'This payment has already been captured');
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

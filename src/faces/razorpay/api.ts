import { badRequest, DomainError } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { capturePayment } from '../../payments/actions.ts';
import { paymentView, type DbPayment } from '../../payments/payments.ts';
import { getPayment, lockPayment, orderAuthorizedIs, paymentsOfOrders } from '../../payments/store.ts';
import { createRefund, refundView, settleRefund, type DbRefund } from '../../refunds/refunds.ts';
import type { RefundSpeed } from '../../refunds/store.ts';
import { settingsOf } from '../../tenants/tenants.ts';
import type { RefundInput } from '../../refunds/schemas.ts';
import type { Ctx, Services } from '../../services.ts';
import { orderView, type DbOrder } from '../../orders/orders.ts';
import { listOrders } from '../../orders/store.ts';
import { rzpOrder, rzpPayment, rzpRefund } from './entities.ts';
import { expansionsOf, type ListOrdersQuery, type RzpOrder, type RzpPayment, type RzpRefund } from './schemas.ts';
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

/**
 * GET /v1/orders: by receipt, and `authorized` (whether a payment of the order got that far);
 * with expand[]=payments each order with its payments (one query for the page).
 */
export async function listOrdersAsRazorpay(db: Queryable, tenantId: string, q: ListOrdersQuery) {
  const authorized = q.authorized === undefined ? undefined : q.authorized === '1' || q.authorized === 'true';
  const orders = await listOrders(db, tenantId, { receipt: q.receipt }, q, (o) => o, [{ sql: orderAuthorizedIs, value: authorized }]);
  const expand = expansionsOf(q);
  if (!expand.has('payments') && !expand.has('payments.card')) return collection(orders.map(rzpOrderRow));
  const payments = await paymentsOfOrders(db, tenantId, orders.map((o) => o.id));
  return collection(orders.map((o) => ({ ...rzpOrderRow(o), payments: collection(payments.filter((p) => p.order_id === o.id).map(rzpPaymentRow)) })));
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

/**
 * A refund as Razorpay's test mode makes one: `processed` at once, the payment's amount_refunded
 * and refund_status updated in the same call (and the refund.processed webhook showing the
 * payment so), at either speed. A tenant in async mode (settings.auto_process, which also leaves
 * payments pending for a while) gets what live mode does for a refund the bank still has: it
 * answers `pending`, and Sandpay processes it REFUND_PROCESS_DELAY_MS later. The same
 * X-Refund-Idempotency value gives back the refund it made, not a second one.
 */
export async function refundAsRazorpay(
  t: Tx, svc: Services, ctx: Ctx, paymentId: string,
  input: { amount?: number | undefined; notes?: RefundInput['metadata']; receipt?: string | undefined; speed?: RefundSpeed | undefined },
  idempotencyKey: string | undefined,
): Promise<DbRefund> {
  const refund = await openRefund(t, svc, ctx, paymentId, {
    amount: input.amount, metadata: input.notes, ...(input.receipt !== undefined ? { receipt: input.receipt } : {}),
    ...(input.speed !== undefined ? { speed: input.speed } : {}), ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  });
  if (refund.replayed || refund.status !== 'pending' || settingsOf(ctx.tenant).auto_process.enabled) return refund;
  return (await settleRefund(t, svc, ctx, refund.id, 'processed', { strict: true }))!;
}

/** A native refund, with Razorpay's wording for the refusals a Razorpay integration checks for. */
async function openRefund(t: Tx, svc: Services, ctx: Ctx, paymentId: string, input: Parameters<typeof createRefund>[4]) {
  try {
    return await createRefund(t, svc, ctx, paymentId, input);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    switch (err.code) {
      case 'amount_too_large':
        throw badRequest('amount_too_large', `The refund amount provided is greater than amount not refunded on the payment: ${err.message}`, 'amount');
      case 'payment_fully_refunded':
        throw badRequest('payment_fully_refunded', FULLY_REFUNDED);
      case 'payment_not_refundable':
        // A refunded payment is not "not captured": Razorpay says what it is.
        if ((await getPayment(t, ctx.tenant.id, paymentId)).status === 'refunded') throw badRequest('payment_fully_refunded', FULLY_REFUNDED);
        throw badRequest('payment_not_captured', 'Only captured payments can be refunded');
      default:
        throw err;
    }
  }
}

const FULLY_REFUNDED = 'The payment has been fully refunded already';

import type { Tx } from '../db/pool.ts';
import { newId } from '../ids.ts';
import { badRequest, stateError } from '../core/errors.ts';
import { auditIn, type Auditing } from '../audit/append.ts';
import type { Ctx } from '../tenants/types.ts';
import { emitEvents, type OutboxServices } from '../webhooks/outbox.ts';
import type { OrderInput, OrderObject } from './schemas.ts';
import { countAttempt, insertOrder, lockOrder, markPaid, receiptTaken, replaceOrderNotes, repriceOrderRow, type DbOrder } from './store.ts';

export type { DbOrder };

export function orderView(o: DbOrder): OrderObject {
  const amount = Number(o.amount);
  const paid = Number(o.amount_paid);
  return {
    id: o.id,
    object: 'order',
    amount,
    amount_paid: paid,
    amount_due: Math.max(0, amount - paid),
    currency: o.currency,
    status: o.status,
    attempts: o.attempts,
    receipt: o.receipt,
    metadata: o.notes,
    created_at: o.created_at.toISOString(),
    updated_at: o.updated_at.toISOString(),
  };
}

/** What one more payment of an order that takes partial payments may be: at most what is due, at least `min`. */
export interface PartialRange {
  due: number;
  min: number;
}

/** The smallest part of a partial payment, as Razorpay's (₹1): 100 in the currency's minor unit. */
const SMALLEST_PART = 100;

/**
 * The range of an order's next payment when it takes partial payments (null when it does not, or
 * is paid): the first payment at least the order's first minimum, every one at least the
 * smallest part, none more than what is still due (the last part may be less than the smallest).
 */
export function partialRange(o: DbOrder): PartialRange | null {
  if (!o.partial_payment || o.status === 'paid') return null;
  const due = Number(o.amount) - Number(o.amount_paid);
  const first = Number(o.amount_paid) === 0 && o.first_payment_min_amount !== null ? Number(o.first_payment_min_amount) : SMALLEST_PART;
  return { due, min: Math.min(Math.max(first, SMALLEST_PART), due) };
}

export interface OrderOptions {
  capture_method?: 'automatic' | 'manual' | undefined;
  /** Razorpay's partial_payment, and the least the first payment may be. */
  partial_payment?: boolean | undefined;
  first_payment_min_amount?: number | undefined;
  /** Refuse the order when the tenant has one with this receipt already (Razorpay's unique_receipt). */
  unique_receipt?: boolean | undefined;
}

export async function createOrder(t: Tx, svc: Auditing & OutboxServices, ctx: Ctx, input: OrderInput & OrderOptions): Promise<DbOrder> {
  if (input.unique_receipt && input.receipt !== undefined && (await receiptTaken(t, ctx.tenant.id, input.receipt))) {
    throw badRequest('receipt_not_unique', 'Order receipt should be unique.', 'receipt');
  }
  const order = await insertOrder(t, {
    id: newId('order'), tenantId: ctx.tenant.id, amount: input.amount, currency: input.currency, receipt: input.receipt ?? null,
    notes: input.metadata ?? {}, captureMethod: input.capture_method ?? null,
    partialPayment: input.partial_payment ?? false, firstPaymentMinAmount: input.first_payment_min_amount ?? null,
  });
  auditIn(t, svc, ctx, { objectType: 'order', objectId: order.id, action: 'order.created', newStatus: 'created' });
  emitEvents(t, svc, ctx, [{ type: 'order.created', object: orderView(order), paymentId: null }]);
  return order;
}

export async function recordAttempt(t: Tx, svc: Auditing, ctx: Ctx, order: DbOrder): Promise<void> {
  const updated = await countAttempt(t, order.id);
  if (updated.status !== order.status) {
    auditIn(t, svc, ctx, { objectType: 'order', objectId: order.id, action: 'order.attempted', oldStatus: order.status, newStatus: updated.status });
  }
}

/**
 * Counts a succeeded payment towards its order: paid once its payments add up to the amount (the
 * first one, unless the order takes partial payments). transitionPayment locked the order and let
 * no payment of a paid order succeed; should one ever get here all the same, the transaction fails
 * rather than commit a capture too many.
 */
export async function markOrderPaid(t: Tx, svc: Auditing & OutboxServices, ctx: Ctx, orderId: string, amount: number, paymentId: string): Promise<void> {
  const updated = await markPaid(t, orderId, amount);
  if (!updated) throw new Error(`order ${orderId} is already paid: payment ${paymentId} would be its second capture`);
  if (updated.status !== 'paid') {
    auditIn(t, svc, ctx, { objectType: 'order', objectId: orderId, action: 'order.partially_paid', metadata: { payment_id: paymentId, amount_paid: Number(updated.amount_paid) } });
    return;
  }
  auditIn(t, svc, ctx, { objectType: 'order', objectId: orderId, action: 'order.paid', oldStatus: 'attempted', newStatus: 'paid', metadata: { payment_id: paymentId } });
  emitEvents(t, svc, ctx, [{ type: 'order.paid', object: orderView(updated), paymentId }]);
}

/** Replaces the order's metadata (what Razorpay calls notes); audited like every change. */
/**
 * A new amount or currency before the order is paid (a Stripe PaymentIntent updated before it is
 * confirmed): under the order's lock, so a payment being made now sees one or the other.
 */
export async function repriceOrder(t: Tx, svc: Auditing, ctx: Ctx, id: string, amount: number, currency: string): Promise<DbOrder> {
  const before = await lockOrder(t, ctx.tenant.id, id);
  if (before.status === 'paid') throw stateError('order_already_paid', `Order ${id} is already paid; its amount cannot change`);
  const after = await repriceOrderRow(t, id, amount, currency);
  auditIn(t, svc, ctx, {
    objectType: 'order', objectId: id, action: 'order.updated',
    metadata: { old: { amount: Number(before.amount), currency: before.currency }, new: { amount, currency } },
  });
  return after;
}

export async function updateOrderMetadata(t: Tx, svc: Auditing, ctx: Ctx, id: string, metadata: Record<string, unknown>): Promise<DbOrder> {
  const { before, after } = await replaceOrderNotes(t, ctx.tenant.id, id, metadata);
  auditIn(t, svc, ctx, { objectType: 'order', objectId: id, action: 'order.updated', metadata: { old: { metadata: before.notes }, new: { metadata } } });
  return after;
}

import type { Tx } from '../db/pool.ts';
import { auditIn, type Auditing } from '../audit/append.ts';
import { badRequest, stateError } from '../core/errors.ts';
import { newId } from '../ids.ts';
import { QUEUES } from '../jobs/boss.ts';
import type { Queue } from '../jobs/workers.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { lockPayment } from '../payments/store.ts';
import type { PaymentServices } from '../payments/services.ts';
import { assertRefundTransition } from '../payments/state-machine.ts';
import { transitionPayment } from '../payments/transition.ts';
import type { Ctx } from '../tenants/types.ts';
import { emitEvents } from '../webhooks/outbox.ts';
import type { RefundInput, RefundObject } from './schemas.ts';
import {
  getRefund, insertRefund, lockRefund, refundByIdempotencyKey, replaceRefundMetadata, reservedForRefunds, setRefundStatus, type DbRefund, type RefundSpeed,
} from './store.ts';

export type { DbRefund };

/** Refunds waiting to be processed, each settled by its job after REFUND_PROCESS_DELAY_MS (src/refunds/jobs.ts); a failed settle is retried. */
export const REFUND_PROCESS: Queue = { name: QUEUES.refundProcess, options: { retryLimit: 5, retryDelay: 1, retryBackoff: true } };

export function refundView(r: DbRefund): RefundObject {
  return {
    id: r.id,
    object: 'refund',
    payment_id: r.payment_id,
    amount: Number(r.amount),
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    failure_code: r.failure_code,
    metadata: r.metadata,
    speed: r.speed,
    processed_at: r.processed_at ? r.processed_at.toISOString() : null,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

/** Replaces the refund's metadata (what Razorpay calls notes); audited like every change. */
export async function updateRefundMetadata(t: Tx, svc: Auditing, ctx: Ctx, id: string, metadata: Record<string, unknown>): Promise<DbRefund> {
  const { before, after } = await replaceRefundMetadata(t, ctx.tenant.id, id, metadata);
  auditIn(t, svc, ctx, { objectType: 'refund', objectId: id, action: 'refund.updated', metadata: { old: { metadata: before.metadata }, new: { metadata } } });
  return after;
}

/**
 * Opens a refund. The payment row lock serialises concurrent refunds on one payment, and the
 * amount still refundable counts pending refunds too, so however many requests race, the
 * refunds never add up to more than was captured.
 */
export async function createRefund(
  t: Tx, svc: PaymentServices, ctx: Ctx, paymentId: string, input: RefundInput & { receipt?: string; speed?: RefundSpeed; idempotencyKey?: string },
): Promise<DbRefund & { replayed?: true }> {
  const p = await lockPayment(t, ctx.tenant.id, paymentId);
  if (input.idempotencyKey !== undefined) {
    // The same key gives back the refund it made (Razorpay's X-Refund-Idempotency), whatever its state now.
    const made = await refundByIdempotencyKey(t, ctx.tenant.id, input.idempotencyKey);
    if (made && made.payment_id !== p.id) throw badRequest('idempotency_key_reused', 'This idempotency key was used for a refund of another payment', 'X-Refund-Idempotency');
    if (made) return { ...made, replayed: true };
  }
  if (p.status !== 'success' && p.status !== 'partially_refunded') {
    throw stateError('payment_not_refundable', `Payment is ${p.status}; only successful payments can be refunded`);
  }
  const { reserved } = await reservedForRefunds(t, p.id);
  const remaining = Number(p.amount_captured) - Number(reserved);
  if (remaining <= 0) throw stateError('payment_fully_refunded', 'The captured amount of this payment is already refunded (or being refunded)');
  const amount = input.amount ?? remaining;
  if (amount > remaining) {
    throw badRequest('amount_too_large', `amount exceeds what is left to refund (${remaining} of ${p.amount_captured} captured)`, 'amount');
  }
  const refund = await insertRefund(t, {
    id: newId('refund'), tenantId: ctx.tenant.id, paymentId: p.id, amount, currency: p.currency, reason: input.reason ?? null,
    metadata: input.metadata ?? {}, receipt: input.receipt ?? null, speed: input.speed ?? 'normal', idempotencyKey: input.idempotencyKey ?? null,
  });
  emitEvents(t, svc, ctx, [{ type: 'refund.created', object: refundView(refund), paymentId: p.id }]);
  auditIn(t, svc, ctx, {
    objectType: 'refund',
    objectId: refund.id,
    action: 'refund.created',
    newStatus: 'pending',
    metadata: { payment_id: p.id, amount, remaining_after: remaining - amount },
  });
  await enqueue(t, svc.boss, REFUND_PROCESS, [
    { data: { refundId: refund.id }, startAfter: new Date(Date.now() + svc.config.payments.refundDelayMs) },
  ]);
  return refund;
}

/**
 * Settles a pending refund. Locks the payment before the refund (the order createRefund uses),
 * then moves the payment to partially_refunded or refunded when the money goes back.
 * From a job (`strict` false) a refund that is no longer pending is skipped; from the API it is a 409.
 */
export async function settleRefund(t: Tx, svc: PaymentServices, ctx: Ctx, refundId: string, to: 'processed' | 'failed', opts: { strict: boolean; failureCode?: string }): Promise<DbRefund | null> {
  const { payment_id } = await getRefund(t, ctx.tenant.id, refundId);
  const p = await lockPayment(t, ctx.tenant.id, payment_id);
  const r = await lockRefund(t, refundId);
  if (r.status !== 'pending' && !opts.strict) return null;
  assertRefundTransition(r.status, to);

  const updated = await setRefundStatus(t, r.id, to, to === 'failed' ? (opts.failureCode ?? 'refund_failed') : null);
  if (to === 'processed') {
    // The payment moves first, so the refund.processed event comes after the payment's own and a
    // face that shows the payment as of the event (Razorpay's) shows it refunded.
    const refunded = Number(p.amount_refunded) + Number(r.amount);
    const status = refunded >= Number(p.amount_captured) ? 'refunded' : 'partially_refunded';
    await transitionPayment(t, svc, ctx, p, status, { amountRefunded: refunded, metadata: { refund_id: r.id } });
  }
  emitEvents(t, svc, ctx, [{ type: to === 'processed' ? 'refund.processed' : 'refund.failed', object: refundView(updated), paymentId: p.id }]);
  auditIn(t, svc, ctx, {
    objectType: 'refund',
    objectId: r.id,
    action: `refund.${to}`,
    oldStatus: r.status,
    newStatus: to,
    metadata: { payment_id: p.id, amount: Number(r.amount) },
  });
  return updated;
}

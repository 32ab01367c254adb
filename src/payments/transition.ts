import type { Tx } from '../db/pool.ts';
import { auditIn } from '../audit/append.ts';
import type { NewEvent } from '../events/events.ts';
import { markOrderPaid } from '../orders/orders.ts';
import { lockOrder, type DbOrder } from '../orders/store.ts';
import { stateError } from '../core/errors.ts';
import { FAILURE_MESSAGES } from './instruments.ts';
import type { Ctx } from '../tenants/types.ts';
import { emitEvents } from '../webhooks/outbox.ts';
import type { PaymentServices } from './services.ts';
import { paymentView, type DbPayment } from './payments.ts';
import { assertTransition, STATUS_EVENT, type PaymentStatus } from './state-machine.ts';
import { setPaymentStatus } from './store.ts';
import type { TransitionChanges } from './types.ts';

export type { TransitionChanges };

/**
 * The one way a payment changes state: checks the move against the state machine, updates the
 * (already locked) row, and in the same transaction writes the event, the audit row and the
 * order's side effects.
 */
export async function transitionPayment(t: Tx, svc: PaymentServices, ctx: Ctx, p: DbPayment, to: PaymentStatus, changes: TransitionChanges = {}): Promise<DbPayment> {
  assertTransition(p.status, to);
  if ((to === 'authorized' || to === 'success') && p.order_id && paidAlready(await lockOrder(t, ctx.tenant.id, p.order_id), Number(p.amount))) {
    return lateOnPaidOrder(t, svc, ctx, p, to, changes);
  }
  const updated = await setPaymentStatus(t, p.id, to, changes, svc.config.payments.authorizedTtlSeconds);
  await recordTransition(t, svc, ctx, p.status, updated, to, changes);
  return updated;
}

/**
 * Whether an order can take no more of `amount`: paid, or (partial payments) paid so far that this
 * payment, made when more was due, would now pay more than is left.
 */
function paidAlready(o: DbOrder, amount: number): boolean {
  return o.status === 'paid' || (o.partial_payment && amount > Number(o.amount) - Number(o.amount_paid));
}

/**
 * At most one payment of an order ever ends captured (one too many, for an order that takes partial payments). The order row is locked before the move (the
 * lock order of every path: payment, then order, then session), so of two attempts settling at
 * once the second sees the order paid. What happens to the late one follows the live gateways:
 * a bank's late "yes" (pending → authorized or success) cannot be refused, so the gateway never
 * captures it and releases the money (Razorpay refunds a duplicate payment on a paid order at
 * once): here it ends failed with order_already_paid, captured nothing. A merchant's capture of
 * an authorization on an order another payment paid is refused (409); the authorization stays
 * until it is cancelled or expires.
 */
async function lateOnPaidOrder(t: Tx, svc: PaymentServices, ctx: Ctx, p: DbPayment, to: 'authorized' | 'success', changes: TransitionChanges): Promise<DbPayment> {
  if (p.status === 'authorized') {
    throw stateError('order_already_paid', `Order ${p.order_id} is already paid by another payment; this authorization cannot be captured (cancel it, or it expires uncaptured)`);
  }
  return transitionPayment(t, svc, ctx, p, 'failed', {
    failure: { code: 'order_already_paid', message: FAILURE_MESSAGES.order_already_paid! },
    action: 'payment.late_on_paid_order',
    metadata: { ...changes.metadata, would_have_become: to, ...(changes.action ? { via: changes.action } : {}) },
  });
}

/**
 * What a move writes besides the row: the events, the audit rows and the order's and checkout
 * session's side effects. Shared by transitionPayment and by a create that inserts the payment
 * already settled (src/payments/create.ts), so both read exactly alike.
 */
export async function recordTransition(t: Tx, svc: PaymentServices, ctx: Ctx, from: PaymentStatus, updated: DbPayment, to: PaymentStatus, changes: TransitionChanges): Promise<void> {
  const p = { id: updated.id, status: from };
  const view = paymentView(updated);
  const events: NewEvent[] = [];
  if (changes.fraud) events.push({ type: 'fraud.detected', object: view, paymentId: p.id });
  events.push({ type: STATUS_EVENT[to] as NewEvent['type'], object: view, paymentId: p.id });
  emitEvents(t, svc, ctx, events);

  auditIn(t, svc, ctx, {
    objectType: 'payment',
    objectId: p.id,
    action: changes.action ?? STATUS_EVENT[to],
    oldStatus: p.status,
    newStatus: to,
    metadata: {
      ...(changes.failure ? { failure_code: changes.failure.code } : {}),
      ...(changes.amountCaptured !== undefined ? { amount_captured: changes.amountCaptured } : {}),
      ...(changes.amountRefunded !== undefined ? { amount_refunded: changes.amountRefunded } : {}),
      ...(changes.fraud ? { fraud: changes.fraud } : {}),
      ...changes.metadata,
    },
  });
  if (changes.fraud) {
    auditIn(t, svc, ctx, {
      objectType: 'payment',
      objectId: p.id,
      action: 'fraud.detected',
      metadata: { action: changes.fraud.action, rule_id: changes.fraud.ruleId, reason: changes.fraud.reason },
    });
  }

  if (to === 'success' && updated.order_id) await markOrderPaid(t, svc, ctx, updated.order_id, Number(updated.amount_captured), updated.id);
  for (const hook of svc.hooks.paymentMoved) await hook(t, svc, ctx, updated, to);
}

import type { Tx } from '../db/pool.ts';
import { auditIn, type Auditing } from '../audit/append.ts';
import { stateError } from '../core/errors.ts';
import { newId } from '../ids.ts';
import { QUEUES } from '../jobs/boss.ts';
import type { Queue } from '../jobs/workers.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { createOrder } from '../orders/orders.ts';
import { lockOrder } from '../orders/store.ts';
import { cancelPayment } from '../payments/actions.ts';
import type { PaymentServices } from '../payments/services.ts';
import { lockPayment } from '../payments/store.ts';
import { clockNow, realTimeOf } from '../tenants/clock.ts';
import type { Ctx } from '../tenants/types.ts';
import { emitEvents, type OutboxServices } from '../webhooks/outbox.ts';
import { DEFAULT_EXPIRES_IN, type CreateSessionInput, type SessionObject } from './schemas.ts';
import { completeOpenSessions, getSession, insertSession, lockSessionWithPayment, markSessionExpired, openSessionIds, type DbSession } from './store.ts';

export type { DbSession };

export const ALL_METHODS = ['card', 'upi', 'netbanking', 'wallet'] as const;

/** Each open session's expiry, a job due at its expires_at (src/checkout/jobs.ts); a failed run is retried. */
export const CHECKOUT_EXPIRE: Queue = { name: QUEUES.checkoutExpire, options: { retryLimit: 5, retryDelay: 1, retryBackoff: true } };

/** What a session's changes take of the services: its audit rows, events and expiry job. */
type SessionServices = Auditing & OutboxServices;

export function sessionView(s: DbSession): SessionObject {
  return {
    id: s.id,
    object: 'checkout.session',
    status: s.status,
    url: s.url,
    order_id: s.order_id,
    payment_id: s.payment_id,
    amount: Number(s.amount),
    currency: s.currency,
    methods: s.methods,
    success_url: s.success_url,
    cancel_url: s.cancel_url,
    prefill: s.prefill,
    name: s.name,
    description: s.description,
    metadata: s.metadata,
    notes: s.payment_notes,
    expires_at: s.expires_at.toISOString(),
    completed_at: s.completed_at ? s.completed_at.toISOString() : null,
    created_at: s.created_at.toISOString(),
  };
}

export interface OpenedBy {
  keyType: 'secret' | 'publishable';
  /** The Origin of the browser page that opened it (publishable key), already checked. */
  origin: string | null;
  /** Where Sandpay's hosted pages are served, for the session's `url`. */
  baseUrl: string;
  /** The gateway face's key (api_keys id) of a checkout.js opened with one (a rzp_test_ key_id, say). */
  faceKeyId?: string | null;
  /** Where the payer goes instead of `${baseUrl}/checkout/<id>`: a face's own page for the session (Stripe's /stripe/checkout/cs_test_…). */
  pageUrl?: (id: string) => string;
}

/**
 * A reaction to a session's expiry, in its transaction, after its rows (the Stripe face tells of
 * its Checkout Sessions' expiry): wired in src/wiring.ts, so checkout never imports the face.
 */
export type SessionExpired = (t: Tx, svc: PaymentServices, ctx: Ctx, session: DbSession) => Promise<void>;

export interface CheckoutHooks {
  sessionExpired: readonly SessionExpired[];
}

/**
 * Opens a session for an existing order of the tenant, or for a new order of `amount` +
 * `currency`. Its expiry is a job scheduled for `expires_at`, in this transaction.
 */
export async function createSession(t: Tx, svc: SessionServices, ctx: Ctx, input: Partial<CreateSessionInput>, by: OpenedBy): Promise<DbSession> {
  const order = input.order_id
    ? await lockOrder(t, ctx.tenant.id, input.order_id)
    : await createOrder(t, svc, ctx, { amount: input.amount!, currency: input.currency!, metadata: undefined });
  if (order.status === 'paid') throw stateError('order_already_paid', `Order ${order.id} is already paid`, 'order_id');

  const id = newId('checkoutSession');
  const s = await insertSession(t, {
    id, tenantId: ctx.tenant.id, orderId: order.id, amount: order.amount, currency: order.currency, url: by.pageUrl ? by.pageUrl(id) : `${by.baseUrl}/checkout/${id}`,
    successUrl: input.success_url ?? null, cancelUrl: input.cancel_url ?? null, methods: input.methods ?? [...ALL_METHODS],
    prefill: input.prefill ?? {}, name: input.name ?? null, description: input.description ?? null, metadata: input.metadata ?? {},
    paymentNotes: input.notes ?? {},
    origin: by.origin, openedWith: by.keyType, expiresIn: input.expires_in ?? DEFAULT_EXPIRES_IN, faceKeyId: by.faceKeyId ?? null,
    saveCardCustomerId: input.save_card?.customer_id ?? null,
  });
  auditIn(t, svc, ctx, {
    objectType: 'checkout_session',
    objectId: s.id,
    action: 'checkout_session.created',
    newStatus: 'open',
    metadata: { order_id: order.id, opened_with: by.keyType, origin: by.origin },
  });
  await scheduleExpiry(t, svc, s.id, realTimeOf(ctx.tenant, s.expires_at));
  return s;
}

async function scheduleExpiry(t: Tx, svc: Pick<OutboxServices, 'boss'>, id: string, at: Date): Promise<void> {
  await enqueue(t, svc.boss, CHECKOUT_EXPIRE, [{ data: { sessionId: id }, startAfter: at }]);
}

/**
 * The paymentMoved hook: a payment that pays its order completes the order's open sessions. One
 * the merchant captures later (manual capture) completes its checkout once authorized, as
 * Razorpay's checkout hands the result over at authorization; the order is paid at capture (by
 * then no session is open any more).
 */
export async function completeSessionsOnPayment(t: Tx, svc: SessionServices, ctx: Ctx, payment: { id: string; order_id: string | null }, to: string): Promise<void> {
  if (payment.order_id && (to === 'success' || to === 'authorized')) await completeSessionsForOrder(t, svc, ctx, payment.order_id, payment.id);
}

/**
 * A paid order completes its open sessions, in the transaction that made its payment succeed
 * (through the paymentMoved hook, whoever moved the payment: the hosted page, a job, simulate).
 */
export async function completeSessionsForOrder(t: Tx, svc: SessionServices, ctx: Ctx, orderId: string, paymentId: string): Promise<void> {
  const done = await completeOpenSessions(t, ctx.tenant.id, orderId, paymentId);
  if (done.length === 0) return;
  emitEvents(t, svc, ctx, done.map((s) => ({ type: 'checkout.session.completed' as const, object: sessionView(s), paymentId })));
  for (const s of done) {
    auditIn(t, svc, ctx, { objectType: 'checkout_session', objectId: s.id, action: 'checkout_session.completed', oldStatus: 'open', newStatus: 'complete', metadata: { payment_id: paymentId } });
  }
}

/**
 * The expiry job. A session whose latest payment is still in progress (a UPI collect waiting
 * for the payer, a 3-D Secure challenge) stays open until that payment settles or expires
 * itself, so a payer who approves in time is never told the checkout expired.
 */
export async function expireSession(t: Tx, svc: SessionServices, ctx: Ctx, id: string): Promise<DbSession | null> {
  const s = await lockSessionWithPayment(t, ctx.tenant.id, id);
  if (!s || s.status !== 'open') return null;
  // On the tenant's clock (src/tenants/clock.ts); the job itself runs in real time.
  const now = clockNow(ctx.tenant);
  if (s.expires_at > now) {
    await scheduleExpiry(t, svc, s.id, realTimeOf(ctx.tenant, s.expires_at));
    return null;
  }
  if (s.payment_status === 'pending' || s.payment_status === 'authorized') {
    await scheduleExpiry(t, svc, s.id, realTimeOf(ctx.tenant, new Date(Math.max(now.getTime(), s.payment_expires_at?.getTime() ?? 0) + 1000)));
    return null;
  }
  return markExpired(t, svc, ctx, s.id);
}

async function markExpired(t: Tx, svc: SessionServices, ctx: Ctx, id: string): Promise<DbSession> {
  const expired = await markSessionExpired(t, ctx.tenant.id, id);
  emitEvents(t, svc, ctx, [{ type: 'checkout.session.expired', object: sessionView(expired), paymentId: null }]);
  auditIn(t, svc, ctx, { objectType: 'checkout_session', objectId: id, action: 'checkout_session.expired', oldStatus: 'open', newStatus: 'expired' });
  return expired;
}

/**
 * The merchant ends an open session before its time (Stripe's expire): a payment still in
 * progress on it (a 3-D Secure challenge left open) is cancelled first, so nothing the payer
 * does on the page can pay it afterwards. Null when the session is no longer open.
 */
export async function expireSessionNow(t: Tx, svc: PaymentServices, ctx: Ctx, id: string): Promise<DbSession | null> {
  // The payment first, then the session: the order every path that moves a payment takes (the
  // challenge's answer locks the payment, whose move completes the session).
  const seen = await getSession(t, ctx.tenant.id, id);
  if (seen.status !== 'open') return null;
  if (seen.payment_id) {
    const p = await lockPayment(t, ctx.tenant.id, seen.payment_id);
    if (p.status === 'pending' || p.status === 'authorized') await cancelPayment(t, svc, ctx, p.id);
  }
  const s = await lockSessionWithPayment(t, ctx.tenant.id, id);
  return s && s.status === 'open' ? markExpired(t, svc, ctx, s.id) : null;
}

/**
 * Ends the order's open sessions now, whatever their expires_at: what they pay was withdrawn (a
 * gateway face's payment link or invoice was cancelled or expired). A session whose payment is
 * still in progress is left to its expiry job, as there.
 */
export async function expireOrderSessions(t: Tx, svc: SessionServices, ctx: Ctx, orderId: string): Promise<void> {
  for (const { id } of await openSessionIds(t, ctx.tenant.id, orderId)) {
    const s = await lockSessionWithPayment(t, ctx.tenant.id, id);
    if (!s || s.status !== 'open' || s.payment_status === 'pending' || s.payment_status === 'authorized') continue;
    await markExpired(t, svc, ctx, id);
  }
}

import type { Queryable, Tx } from '../db/pool.ts';
import { badRequest, forbidden, notFound, stateError } from '../core/errors.ts';
import { isId } from '../ids.ts';
import { getOrder, lockOrder } from '../orders/store.ts';
import { partialRange, type PartialRange } from '../orders/orders.ts';
import { cancelPayment } from '../payments/actions.ts';
import { createPayment } from '../payments/create.ts';
import { FAILURE_MESSAGES } from '../payments/instruments.ts';
import { approved } from '../payments/outcome.ts';
import type { DbPayment } from '../payments/payments.ts';
import { getPayment, lockPayment, paymentInProgressForOrder } from '../payments/store.ts';
import { transitionPayment } from '../payments/transition.ts';
import type { KeyStore } from '../secrets/keys.ts';
import type { PaymentServices } from '../payments/services.ts';
import type { Ctx, DbTenant } from '../tenants/tenants.ts';
import { clockNow, useClock } from '../tenants/clock.ts';
import { getTenant } from '../tenants/store.ts';
import type { CheckoutFace } from './faces.ts';
import type { CreatePaymentInput } from '../payments/schemas.ts';
import type { PayInput, SessionState } from './schemas.ts';
import { lockSession, reloadSession, sessionById, setSessionPayment, type DbSession } from './store.ts';
import { signCheckoutResult } from './signature.ts';

/**
 * What the hosted page works with: the session (found by its id alone, which is the page's only
 * credential: 119 random bits), its tenant and its latest payment.
 */
export interface PageSession {
  session: DbSession;
  tenant: DbTenant;
  payment: DbPayment | null;
  /**
   * What signs the result: the tenant's webhook secret, or for a session opened with a gateway
   * face's key id (checkout.js in that face's mode) that key's own secret, so the merchant
   * verifies it as that gateway's checkout result.
   */
  signingSecret: string;
  /** The face whose key opened the session, if one did. */
  face: CheckoutFace | null;
  /** When the session's order takes partial payments: what is still due and the least this payment may be. */
  partial: PartialRange | null;
}

export async function loadPageSession(db: Queryable, id: string, keys: KeyStore, faces: readonly CheckoutFace[]): Promise<PageSession> {
  const session = isId('checkoutSession', id) ? await sessionById(db, id) : undefined;
  const tenant = session && (await getTenant(db, session.tenant_id));
  if (!session || !tenant) throw notFound('checkout session');
  if (tenant.disabled) throw forbidden('tenant_disabled', 'This merchant cannot take payments right now');
  const payment = session.payment_id ? await getPayment(db, tenant.id, session.payment_id) : null;
  const opened = session.razorpay_key_id ? await openedWith(db, keys, faces, tenant.id, session.razorpay_key_id) : null;
  const partial = partialRange(await getOrder(db, tenant.id, session.order_id));
  return { session, tenant, payment, signingSecret: opened?.secret ?? tenant.webhook_secret, face: opened?.face ?? null, partial };
}

/** The face whose key (api_keys id) opened a session, and that key's secret. */
async function openedWith(db: Queryable, keys: KeyStore, faces: readonly CheckoutFace[], tenantId: string, keyRowId: string) {
  for (const face of faces) {
    const secret = await face.signingSecret(db, keys, tenantId, keyRowId);
    if (secret !== null) return { face, secret };
  }
  throw new Error(`no gateway face here serves the key ${keyRowId} that opened a checkout session`);
}

const inProgress = (p: DbPayment | null) => p !== null && (p.status === 'pending' || p.status === 'authorized');

/** Open past its expiry, with nothing in progress: expired, whether or not the job has run yet. */
export function effectiveStatus(s: DbSession, payment: DbPayment | null, now = new Date()): DbSession['status'] {
  return s.status === 'open' && s.expires_at <= now && !inProgress(payment) ? 'expired' : s.status;
}

export function sessionState({ session: s, payment: p, signingSecret, face, tenant }: PageSession): SessionState {
  return {
    object: 'checkout.session.state',
    id: s.id,
    status: effectiveStatus(s, p, clockNow(tenant)),
    payment: p && {
      id: p.id,
      status: p.status,
      method: p.method,
      failure_code: p.failure_code,
      failure_message: p.failure_message,
      next_action: p.status === 'pending' ? (p.test_behaviour === 'three_ds_challenge' ? 'three_ds_challenge' : 'wait') : null,
      ...face?.paymentFields(p),
    },
    result: s.status === 'complete' && s.payment_id
      ? { payment_id: s.payment_id, order_id: s.order_id, signature: signCheckoutResult(signingSecret, s.order_id, s.payment_id) }
      : null,
  };
}

function ctxOf(page: PageSession, requestId: string | null): Ctx {
  return { tenant: page.tenant, actor: { type: 'checkout_session', id: page.session.id }, requestId };
}

/**
 * A payment attempt from the hosted page. The order row is locked first (the order every path
 * that pays an order takes: payment, then order, then session), and under that lock an order
 * that is paid, or has a payment still in progress, takes no new one: two tabs, a double click
 * or two sessions of one order can never both succeed. A declined attempt leaves the order
 * open, so the payer retries with a new payment, as real checkouts do.
 */
export async function payFromPage(t: Tx, svc: PaymentServices, page: PageSession, input: PayInput, requestId: string): Promise<PageSession> {
  const ctx = ctxOf(page, requestId);
  useClock(t, page.tenant);
  const order = await lockOrder(t, page.tenant.id, page.session.order_id);
  const s = await lockSession(t, page.tenant.id, page.session.id);
  if (s.status === 'complete' || order.status === 'paid') throw stateError('order_already_paid', 'This order has already been paid');
  if (await paymentInProgressForOrder(t, page.tenant.id, order.id)) throw stateError('payment_in_progress', 'A payment for this order is still in progress; wait for it or cancel it first');
  if (s.status === 'expired' || s.expires_at <= clockNow(page.tenant)) throw stateError('session_expired', 'This checkout has expired');
  if (!s.methods.includes(input.method)) throw badRequest('payment_method_unavailable', `This checkout does not accept ${input.method}`, 'method');
  // Only an order that takes partial payments lets the payer choose the amount (createPayment checks the range).
  if (input.amount !== undefined && !order.partial_payment) throw badRequest('amount_not_allowed', 'This checkout takes the full amount only', 'amount');

  const p = await createPayment(
    t,
    svc,
    ctx,
    {
      order_id: order.id,
      amount: input.amount,
      method: input.method,
      card: input.card,
      vpa: input.vpa,
      bank: input.bank,
      wallet: input.wallet,
      description: s.description ?? undefined,
      // The notes checkout.js was given; which session made the payment is checkout's own record (checkout_payments).
      metadata: s.payment_notes as CreatePaymentInput['metadata'],
      customer_email: input.email ?? s.prefill.email,
      customer_contact: s.prefill.contact,
    },
    { challenge3ds: true, authorizationWindowSeconds: page.face?.authorizationWindowSeconds },
  );
  // The session's latest attempt (a payment that succeeded at once has completed it already).
  const session = await setSessionPayment(t, s.id, p.id);
  return { ...page, session, payment: p, partial: partialRange(await getOrder(t, page.tenant.id, order.id)) };
}

function currentPayment(page: PageSession): string {
  if (!page.session.payment_id) throw stateError('no_payment', 'This checkout has no payment yet');
  return page.session.payment_id;
}

/** The 3-D Secure test challenge: "Complete" makes the payment succeed, "Fail" declines it. */
export async function answerChallenge(t: Tx, svc: PaymentServices, page: PageSession, outcome: 'complete' | 'fail', requestId: string): Promise<PageSession> {
  const ctx = ctxOf(page, requestId);
  // The session completed with another payment meanwhile (one that paid the order, or for a
  // manual-capture order one that was authorized): the payer's challenge is moot, and their
  // payment is never captured; it lapses uncompleted.
  if (page.session.status === 'complete') {
    const { status } = await getOrder(t, page.tenant.id, page.session.order_id);
    throw status === 'paid'
      ? stateError('order_already_paid', 'This order has already been paid')
      : stateError('checkout_complete', 'This checkout is already complete with another payment');
  }
  const updated = await answerPaymentChallenge(t, svc, ctx, currentPayment(page), outcome);
  const session = await reloadSession(t, page.session.id);
  return { ...page, session, payment: updated };
}

/**
 * The test challenge's rule, for every page that shows one (the hosted checkout, the Stripe face's
 * challenge page): only a payment waiting for 3-D Secure takes an answer; "complete" settles it as
 * its order captures (authorized for a manual-capture order), "fail" declines it.
 */
export async function answerPaymentChallenge(t: Tx, svc: PaymentServices, ctx: Ctx, paymentId: string, outcome: 'complete' | 'fail'): Promise<DbPayment> {
  const p = await lockPayment(t, ctx.tenant.id, paymentId);
  if (p.status !== 'pending' || p.test_behaviour !== 'three_ds_challenge') {
    throw stateError('no_challenge', 'This payment is not waiting for 3-D Secure authentication');
  }
  // A manual-capture payment (Razorpay's payment_capture: 0) is left authorized for the merchant to capture.
  const approval = approved({ capture: p.capture_method, amount: Number(p.amount) });
  return outcome === 'complete'
    ? await transitionPayment(t, svc, ctx, p, approval.status, { ...approval.changes, action: 'payment.authenticated' })
    : await transitionPayment(t, svc, ctx, p, 'failed', {
        failure: { code: 'authentication_failed', message: FAILURE_MESSAGES.authentication_failed! },
        action: 'payment.authentication_failed',
      });
}

/** The payer gives up on a payment in progress (a UPI collect, a challenge) to try another way. */
export async function cancelFromPage(t: Tx, svc: PaymentServices, page: PageSession, requestId: string): Promise<PageSession> {
  const payment = await cancelPayment(t, svc, ctxOf(page, requestId), currentPayment(page));
  return { ...page, payment };
}

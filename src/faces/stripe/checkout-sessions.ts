import { badRequest } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { createSession, expireSessionNow, type DbSession } from '../../checkout/sessions.ts';
import { getSession, sessionsByIds } from '../../checkout/store.ts';
import { createOrder } from '../../orders/orders.ts';
import type { DbPayment } from '../../payments/payments.ts';
import type { PaymentServices } from '../../payments/services.ts';
import type { PaymentStatus } from '../../payments/state-machine.ts';
import { getPayment, paymentsByIds } from '../../payments/store.ts';
import type { Ctx, Services } from '../../services.ts';
import { checkoutSessionObject, type SessionParts } from './checkout-objects.ts';
import { lifetimeOf, named, priceLines } from './checkout-pricing.ts';
import type { SessionCreate } from './checkout-schemas.ts';
import { requireCustomer } from './customers.ts';
import { noSuch, unexpectedState } from './errors.ts';
import { checkoutPagePath } from './events.ts';
import { ledgerId, nativeSessionId, stripeSessionId } from './ids.ts';
import { checkAmount, insertCheckoutIntent } from './intents.ts';
import { raiser } from './object-events.ts';
import { mergeMetadata } from './schemas.ts';
import { cancelIntentRow, checkoutSessionOfOrder, findCheckoutSession, findIntent, insertCheckoutSession, pageCheckoutSessions, type DbCheckoutSession } from './store.ts';
import { withCursors } from './cursors.ts';

/**
 * Stripe's Checkout Sessions (mode `payment`) over Sandpay's hosted checkout: a session is a
 * hosted checkout session (`cs_X` ↔ `cs_test_X`) for an order made for it alone, so its page, its
 * payments, 3-D Secure, expiry job and the one-success-per-order rule are the hosted checkout's
 * own; the face keeps what only Stripe has (line items, customer, the URLs as given) and tells of
 * completion and expiry with its own events, which carry the whole Checkout Session.
 */

type Json = Record<string, unknown>;

/** The tenant's Checkout Session `cs_test_…`, or Stripe's 404 (another tenant's, a native session's id, a wrong shape). */
export async function loadCheckoutSession(db: Queryable, tenantId: string, id: string, param = 'session'): Promise<SessionParts> {
  const nativeId = nativeSessionId(id);
  const stripe = nativeId ? await findCheckoutSession(db, tenantId, nativeId) : undefined;
  if (!stripe) throw noSuch('checkout.session', id, param);
  const session = await getSession(db, tenantId, stripe.id);
  const payment = session.payment_id ? await getPayment(db, tenantId, session.payment_id) : null;
  return { stripe, session, payment };
}

async function partsOf(db: Queryable, tenantId: string, rows: DbCheckoutSession[]): Promise<SessionParts[]> {
  if (rows.length === 0) return [];
  const sessions = new Map((await sessionsByIds(db, tenantId, rows.map((r) => r.id))).map((s) => [s.id, s] as const));
  const paymentIds = [...sessions.values()].flatMap((s) => (s.payment_id ? [s.payment_id] : []));
  const payments = new Map((paymentIds.length ? await paymentsByIds(db, tenantId, paymentIds) : []).map((p) => [p.id, p] as const));
  return rows.map((stripe) => {
    const session = sessions.get(stripe.id)!;
    return { stripe, session, payment: session.payment_id ? payments.get(session.payment_id) ?? null : null };
  });
}

export async function listCheckoutSessions(
  db: Queryable, tenantId: string,
  q: { limit: number; customer?: string | undefined; paymentIntent?: string | undefined; createdFrom?: Date | undefined; createdTo?: Date | undefined; startingAfter?: string | undefined; endingBefore?: string | undefined },
): Promise<{ data: Json[]; hasMore: boolean; parts: SessionParts[] }> {
  let orderId: string | undefined;
  if (q.paymentIntent !== undefined) {
    const ledger = ledgerId('pi', q.paymentIntent);
    if (!ledger) return { data: [], hasMore: false, parts: [] };
    orderId = ledger;
  }
  const page = await withCursors('checkout.session', q, nativeSessionId, (cursors) =>
    pageCheckoutSessions(db, tenantId, { customer: q.customer, orderId, createdFrom: q.createdFrom, createdTo: q.createdTo }, { limit: q.limit, ...cursors }));
  const parts = await partsOf(db, tenantId, page.data);
  return { data: parts.map(checkoutSessionObject), hasMore: page.has_more, parts };
}

/**
 * A new Checkout Session: its lines priced, an order for their total (the PaymentIntent to be,
 * with payment_intent_data's capture method and metadata), the hosted checkout session whose page
 * is the face's (/stripe/checkout/cs_test_…), and the face's row. All in the caller's transaction.
 */
export async function createCheckoutSession(t: Tx, svc: Services, ctx: Ctx, baseUrl: string, input: SessionCreate): Promise<SessionParts> {
  if (input.mode === undefined) throw badRequest('parameter_missing', 'Missing required param: mode.', 'mode');
  if (input.mode !== 'payment') {
    throw badRequest('parameter_invalid', `Sandpay supports Checkout Sessions in payment mode only (mode: 'payment'); '${input.mode}' is not supported.`, 'mode');
  }
  if (input.success_url === undefined) throw badRequest('parameter_missing', 'Missing required param: success_url.', 'success_url');
  if (!input.line_items || input.line_items.length === 0) throw badRequest('parameter_missing', 'Missing required param: line_items.', 'line_items');
  if (input.customer !== undefined && input.customer_email !== undefined) {
    throw badRequest('parameter_invalid', 'You may only specify one of these parameters: customer, customer_email.', 'customer_email');
  }
  const lifetime = lifetimeOf(input.expires_at);
  const customer = input.customer !== undefined ? await named(() => requireCustomer(t, ctx.tenant.id, input.customer!)) : null;
  const lines = await priceLines(t, ctx, input.line_items);
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  const currency = lines[0]!.currency.toUpperCase();
  checkAmount(total, currency, 'line_items');

  const pid = input.payment_intent_data ?? {};
  const capture = pid.capture_method ?? 'automatic';
  const order = await createOrder(t, svc, ctx, { amount: total, currency, metadata: mergeMetadata({}, pid.metadata), capture_method: capture === 'manual' ? 'manual' : 'automatic' });
  const email = input.customer_email ?? customer?.email ?? undefined;
  await insertCheckoutIntent(t, ctx.tenant.id, order.id, {
    capture_method: capture, customer: customer?.id, description: pid.description, receipt_email: pid.receipt_email ?? email,
    setup_future_usage: pid.setup_future_usage, statement_descriptor: pid.statement_descriptor,
  });
  const session = await createSession(
    t, svc, ctx,
    { order_id: order.id, success_url: input.success_url, cancel_url: input.cancel_url, metadata: mergeMetadata({}, input.metadata), expires_in: lifetime, methods: ['card'], prefill: email ? { email } : {} },
    { keyType: 'secret', origin: null, baseUrl, pageUrl: (id) => `${baseUrl}${checkoutPagePath(stripeSessionId(id))}` },
  );
  const stripe = await insertCheckoutSession(t, {
    id: session.id, tenant_id: ctx.tenant.id, order_id: order.id, customer: customer?.id ?? null, customer_email: input.customer_email ?? null,
    client_reference_id: input.client_reference_id ?? null, success_url: input.success_url, cancel_url: input.cancel_url ?? null, line_items: lines,
    // Kept to answer back as given: Sandpay's page asks for no address and takes no promotion codes.
    options: Object.fromEntries(Object.entries({
      submit_type: input.submit_type, locale: input.locale, billing_address_collection: input.billing_address_collection,
      allow_promotion_codes: input.allow_promotion_codes, customer_creation: input.customer_creation,
    }).filter(([, v]) => v !== undefined)),
  });
  return { stripe, session, payment: null };
}

/**
 * An expired session's PaymentIntent, if the page made one, is canceled with it (`expired`, a
 * reason Stripe gives itself), as Stripe's is: nothing can confirm it any more.
 */
async function cancelIntentOf(t: Tx, tenantId: string, session: DbSession): Promise<void> {
  if (!session.payment_id) return;
  const intent = await findIntent(t, tenantId, session.order_id, true);
  if (intent && intent.canceled_at === null) await cancelIntentRow(t, intent.id, 'expired');
}

/** Stripe's expire: only an open session; the payer's page then says it has expired. checkout.session.expired. */
export async function expireCheckoutSession(t: Tx, svc: Services, ctx: Ctx, id: string): Promise<SessionParts> {
  const parts = await loadCheckoutSession(t, ctx.tenant.id, id, 'session');
  const expired = await expireSessionNow(t, svc, ctx, parts.session.id);
  if (!expired) {
    const now = await loadCheckoutSession(t, ctx.tenant.id, id, 'session');
    throw unexpectedState('checkout_session_unexpected_state', `Only Checkout Sessions with a status in ["open"] can be expired; this one is ${now.session.status}.`);
  }
  await cancelIntentOf(t, ctx.tenant.id, expired);
  const after = await loadCheckoutSession(t, ctx.tenant.id, id, 'session');
  raiser(t, svc, ctx)('checkout.session.expired', checkoutSessionObject(after));
  return after;
}

/**
 * The paymentMoved hook (after the hosted checkout's, which completes the order's sessions): a
 * payment that completed a Checkout Session's order tells of it as Stripe does, once: when it
 * succeeds at once, or is authorized (manual capture); its capture later completes nothing new.
 */
export async function checkoutSessionOnPayment(t: Tx, svc: PaymentServices, ctx: Ctx, payment: DbPayment, to: PaymentStatus): Promise<void> {
  if (!payment.order_id || !(to === 'authorized' || (to === 'success' && payment.authorized_at === null))) return;
  const stripe = await checkoutSessionOfOrder(t, ctx.tenant.id, payment.order_id);
  if (!stripe) return;
  const session = await getSession(t, ctx.tenant.id, stripe.id);
  if (session.status !== 'complete' || session.payment_id !== payment.id) return;
  raiser(t, svc, ctx)('checkout.session.completed', checkoutSessionObject({ stripe, session, payment }));
}

/** The sessionExpired hook: a Checkout Session that lapsed at its expires_at tells of it. */
export async function checkoutSessionOnExpiry(t: Tx, svc: PaymentServices, ctx: Ctx, session: DbSession): Promise<void> {
  const stripe = await findCheckoutSession(t, ctx.tenant.id, session.id);
  if (!stripe) return;
  await cancelIntentOf(t, ctx.tenant.id, session);
  const payment = session.payment_id ? await getPayment(t, ctx.tenant.id, session.payment_id) : null;
  raiser(t, svc, ctx)('checkout.session.expired', checkoutSessionObject({ stripe, session, payment }));
}

import { badRequest, DomainError } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { createSession, expireSessionNow, type DbSession } from '../../checkout/sessions.ts';
import { getSession, sessionsByIds } from '../../checkout/store.ts';
import { createOrder } from '../../orders/orders.ts';
import type { DbPayment } from '../../payments/payments.ts';
import type { PaymentServices } from '../../payments/services.ts';
import type { PaymentStatus } from '../../payments/state-machine.ts';
import { getPayment, paymentsByIds } from '../../payments/store.ts';
import type { Ctx, Services } from '../../services.ts';
import { priceObject, priceRow, productRow } from './catalog.ts';
import type { LineItemInput, SessionCreate } from './checkout-schemas.ts';
import { requireCustomer } from './customers.ts';
import { stringMap } from './entities.ts';
import { noSuch, unexpectedState } from './errors.ts';
import { checkoutPagePath } from './events.ts';
import { ledgerId, nativeSessionId, newStripeId, stripeId, stripeSessionId } from './ids.ts';
import { checkAmount, insertCheckoutIntent } from './intents.ts';
import { raiser } from './object-events.ts';
import { createPrice } from './prices.ts';
import { mergeMetadata, unix } from './schemas.ts';
import {
  cancelIntentRow, checkoutSessionOfOrder, findCheckoutSession, findIntent, insertCheckoutSession, pageCheckoutSessions, type DbCheckoutSession, type DbLineItem,
} from './store.ts';
import { withCursors } from './cursors.ts';

/**
 * Stripe's Checkout Sessions (mode `payment`) over Sandpay's hosted checkout: a session is a
 * hosted checkout session (`cs_X` ↔ `cs_test_X`) for an order made for it alone, so its page, its
 * payments, 3-D Secure, expiry job and the one-success-per-order rule are the hosted checkout's
 * own; the face keeps what only Stripe has (line items, customer, the URLs as given) and tells of
 * completion and expiry with its own events, which carry the whole Checkout Session.
 */

type Json = Record<string, unknown>;

/** Stripe's bounds on expires_at, from the session's creation (a few seconds' grace for the caller's clock). */
const MIN_LIFETIME = 30 * 60;
const MAX_LIFETIME = 24 * 3600;
const CLOCK_GRACE = 10;

export interface SessionParts {
  stripe: DbCheckoutSession;
  session: DbSession;
  /** The session's latest payment (the one that paid it, once complete). */
  payment: DbPayment | null;
}

/** `{CHECKOUT_SESSION_ID}` in a success URL, as Stripe fills it in. */
export const resolvedSuccessUrl = (s: DbCheckoutSession) => s.success_url.replaceAll('{CHECKOUT_SESSION_ID}', stripeSessionId(s.id));

const paidStatuses = new Set(['success', 'partially_refunded', 'refunded']);

export function checkoutSessionObject({ stripe: x, session: s, payment: p }: SessionParts): Json {
  const complete = s.status === 'complete';
  const email = x.customer_email ?? (complete ? p?.customer_email ?? null : null);
  return {
    id: stripeSessionId(s.id),
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: Number(s.amount),
    amount_total: Number(s.amount),
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: x.cancel_url,
    client_reference_id: x.client_reference_id,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: unix(s.created_at),
    currency: s.currency.toLowerCase(),
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: x.customer,
    customer_creation: x.customer ? null : 'if_required',
    customer_details: complete ? { address: null, email, name: null, phone: null, tax_exempt: 'none', tax_ids: [] } : null,
    customer_email: x.customer_email,
    discounts: [],
    expires_at: unix(s.expires_at),
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    metadata: stringMap(s.metadata),
    mode: 'payment',
    origin_context: null,
    // Stripe makes the PaymentIntent when the payer first confirms: here, the page's first attempt.
    payment_intent: s.payment_id ? stripeId('pi', s.order_id) : null,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    // A manual-capture payment completes the session authorized: paid once captured.
    payment_status: complete && p && paidStatuses.has(p.status) ? 'paid' : 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: s.status,
    submit_type: null,
    subscription: null,
    success_url: x.success_url,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: s.status === 'open' ? s.url : null,
    wallet_options: null,
  };
}

export function lineItemObject(li: DbLineItem): Json {
  return {
    id: li.id,
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: li.amount,
    amount_tax: 0,
    amount_total: li.amount,
    currency: li.currency,
    description: li.description,
    metadata: {},
    price: li.price,
    quantity: li.quantity,
  };
}

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

/** A page of a session's line items, in their order (cursors are their `li_` ids). */
export function pageLineItems(items: DbLineItem[], q: { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined }): { data: Json[]; hasMore: boolean } {
  const at = (id: string, param: string) => {
    const i = items.findIndex((li) => li.id === id);
    if (i < 0) throw noSuch('line item', id, param);
    return i;
  };
  if (q.endingBefore !== undefined) {
    const end = at(q.endingBefore, 'ending_before');
    const start = Math.max(0, end - q.limit);
    return { data: items.slice(start, end).map(lineItemObject), hasMore: start > 0 };
  }
  const start = q.startingAfter !== undefined ? at(q.startingAfter, 'starting_after') + 1 : 0;
  return { data: items.slice(start, start + q.limit).map(lineItemObject), hasMore: start + q.limit < items.length };
}

const lineParam = (i: number, field: string) => `line_items.${i}.${field}`;

/** A missing object a parameter names: Stripe's 400 resource_missing for a create's parameter (not the 404 of a path). */
async function named<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'not_found') throw new DomainError('invalid', 'resource_missing', err.message, { param: err.param });
    throw err;
  }
}

/** Prices each line as Stripe does: a one-time price of the tenant (active), or one made from price_data. */
async function priceLines(t: Tx, ctx: Ctx, lines: LineItemInput[]): Promise<DbLineItem[]> {
  const out: DbLineItem[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.price !== undefined && line.price_data !== undefined) {
      throw badRequest('parameter_invalid', `You may only specify one of these parameters: line_items[${i}][price], line_items[${i}][price_data].`, lineParam(i, 'price_data'));
    }
    if (line.quantity === undefined) throw badRequest('parameter_missing', `Quantity is required. Add \`quantity\` to \`line_items[${i}]\`.`, lineParam(i, 'quantity'));
    let price;
    if (line.price !== undefined) {
      price = await named(() => priceRow(t, ctx.tenant.id, line.price!, { param: lineParam(i, 'price') }));
      if (!price.active) throw badRequest('parameter_invalid', `The price specified (${price.id}) is inactive. This field only accepts active prices.`, lineParam(i, 'price'));
    } else if (line.price_data !== undefined) {
      const d = line.price_data;
      if (d.product !== undefined) await named(() => productRow(t, ctx.tenant.id, d.product!, { param: lineParam(i, 'price_data.product') }));
      else if (d.product_data === undefined) throw badRequest('parameter_missing', `Missing required param: line_items[${i}][price_data][product_data] (or product).`, lineParam(i, 'price_data.product_data'));
      // An inline price (and product) is made as Stripe makes it, inactive, for this session: no events of its own.
      price = await createPrice(t, ctx, () => {}, {
        currency: d.currency, unit_amount: d.unit_amount, unit_amount_decimal: d.unit_amount_decimal, tax_behavior: d.tax_behavior, active: false,
        ...(d.product !== undefined ? { product: d.product } : { product_data: { name: d.product_data!.name, metadata: d.product_data!.metadata, tax_code: d.product_data!.tax_code } }),
      });
    } else {
      throw badRequest('parameter_missing', `You must specify either \`price\` or \`price_data\` in line_items[${i}].`, lineParam(i, 'price'));
    }
    if (price.type === 'recurring') {
      throw badRequest('parameter_invalid', 'You specified `payment` mode but passed a recurring price. Sandpay supports one-time prices only (mode `payment`).', lineParam(i, 'price'));
    }
    if (price.unit_amount === null) {
      throw badRequest('parameter_invalid', `The price ${price.id} has a fractional unit_amount_decimal; Sandpay charges whole units of the currency.`, lineParam(i, 'price'));
    }
    const currency = price.currency.toLowerCase();
    if (out.length > 0 && out[0]!.currency !== currency) {
      throw badRequest('parameter_invalid', `All line items must have the same currency: line_items[0] is in ${out[0]!.currency}, line_items[${i}] in ${currency}.`, lineParam(i, 'price'));
    }
    const product = await productRow(t, ctx.tenant.id, price.product, { param: lineParam(i, 'price') });
    const unitAmount = Number(price.unit_amount);
    out.push({ id: newStripeId('li'), description: product.name, quantity: line.quantity, currency, unit_amount: unitAmount, amount: unitAmount * line.quantity, price: priceObject(price) });
  }
  return out;
}

/** The session's lifetime in seconds from now: Stripe's 30 minutes to 24 hours, 24 hours by default. */
function lifetimeOf(expiresAt: number | undefined): number {
  if (expiresAt === undefined) return MAX_LIFETIME;
  const seconds = expiresAt - Date.now() / 1000;
  if (seconds < MIN_LIFETIME - CLOCK_GRACE) throw badRequest('parameter_invalid', 'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.', 'expires_at');
  if (seconds > MAX_LIFETIME + CLOCK_GRACE) throw badRequest('parameter_invalid', 'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.', 'expires_at');
  return Math.min(MAX_LIFETIME, Math.max(1, Math.round(seconds)));
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

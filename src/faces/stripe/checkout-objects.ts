import type { DbSession } from '../../checkout/sessions.ts';
import type { DbPayment } from '../../payments/payments.ts';
import { stringMap } from './entities.ts';
import { noSuch } from './errors.ts';
import { stripeId, stripeSessionId } from './ids.ts';
import { unix } from './schemas.ts';
import type { DbCheckoutSession, DbLineItem } from './store.ts';

/** A Checkout Session and its line items as Stripe's objects, from the hosted session, the face's row and the latest payment. */

type Json = Record<string, unknown>;

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
  const o = x.options ?? {};
  const email = x.customer_email ?? (complete ? p?.customer_email ?? null : null);
  return {
    id: stripeSessionId(s.id),
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: o.allow_promotion_codes ?? null,
    amount_subtotal: Number(s.amount),
    amount_total: Number(s.amount),
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: o.billing_address_collection ?? null,
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
    customer_creation: o.customer_creation ?? (x.customer ? null : 'if_required'),
    customer_details: complete ? { address: null, email, name: null, phone: null, tax_exempt: 'none', tax_ids: [] } : null,
    customer_email: x.customer_email,
    discounts: [],
    expires_at: unix(s.expires_at),
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: o.locale ?? null,
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
    submit_type: o.submit_type ?? null,
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

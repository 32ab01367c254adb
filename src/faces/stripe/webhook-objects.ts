import type { ApiObject } from '../../events/types.ts';
import type { SessionObject } from '../../checkout/schemas.ts';
import type { ClockObject } from '../../clock/clock.ts';
import type { DbOrder } from '../../orders/orders.ts';
import type { OrderObject } from '../../orders/schemas.ts';
import type { DbPayment } from '../../payments/payments.ts';
import type { PaymentObject } from '../../payments/schemas.ts';
import type { DbRefund } from '../../refunds/refunds.ts';
import type { RefundObject } from '../../refunds/schemas.ts';
import { chargeObject, paymentIntentObject, refundObject, stringMap } from './entities.ts';
import { stripeId } from './ids.ts';
import { DELETES_AFTER_S, testClockId } from './test-clocks.ts';
import type { DbIntent } from './store.ts';

/**
 * An event's object as Stripe shows it, from the native object the event carries (the order,
 * payment, refund or checkout session as of the event): the same mappers as the API's answers
 * (entities.ts), fed rows rebuilt from that object. An event holds no more than its object, so
 * what lives only in the face's own tables (a PaymentIntent's client_secret and payment method,
 * its customer) is null here, as it is in an event about a PaymentIntent made outside Stripe's API.
 */

type Json = Record<string, unknown>;

const at = (iso: string | null) => (iso ? new Date(iso) : null);

/**
 * The payment row behind a payment object (paymentView's inverse, where the object says). A
 * pending payment's object does not say whether it awaits a 3-D Secure challenge: the event's
 * name does (`challenge`).
 */
function paymentRow(p: PaymentObject, challenge = false): DbPayment {
  return {
    id: p.id, tenant_id: '', order_id: p.order_id, amount: String(p.amount), currency: p.currency, status: p.status, method: p.method,
    card_brand: p.card?.brand ?? null, card_last4: p.card?.last4 ?? null, card_bin: null, card_exp_month: p.card?.exp_month ?? null,
    card_exp_year: p.card?.exp_year ?? null, card_fingerprint: p.card?.fingerprint ?? null,
    vpa: p.vpa ?? null, bank: p.bank ?? null, wallet: p.wallet ?? null, test_behaviour: challenge ? 'three_ds_challenge' : 'succeed', capture_method: p.capture_method,
    amount_captured: String(p.amount_captured), amount_refunded: String(p.amount_refunded), failure_code: p.failure_code, failure_message: p.failure_message,
    fraud_rule_id: p.fraud?.rule_id ?? null, fraud_action: p.fraud?.action ?? null, fraud_reason: p.fraud?.reason ?? null,
    description: p.description, metadata: p.metadata, customer_email: p.customer_email, customer_contact: p.customer_contact ?? null, billing_country: p.billing.country, webhook_url: p.webhook_url,
    expires_at: at(p.expires_at), authorization_window_seconds: null, authorized_at: at(p.authorized_at), captured_at: at(p.captured_at), created_at: new Date(p.created_at), updated_at: new Date(p.updated_at),
  };
}

/**
 * The PaymentIntent a payment is the latest attempt of. Its id is its order's (`pi_` ↔ `order_`);
 * a payment made without an order (Sandpay's own API) stands for its own PaymentIntent, under its
 * id's body. Its metadata is the payment's, which confirming an intent copies from the intent.
 */
export function paymentIntentOfPayment(p: PaymentObject, challenge = false): Json {
  const payment = paymentRow(p, challenge);
  const orderId = p.order_id ?? `order_${p.id.slice(p.id.indexOf('_') + 1)}`;
  const created = new Date(p.created_at);
  const cancelled = p.status === 'failed' && p.failure_code === 'payment_cancelled';
  const order: DbOrder = {
    id: orderId, tenant_id: '', amount: String(p.amount), currency: p.currency, amount_paid: String(p.amount_captured), status: 'attempted',
    attempts: 1, receipt: null, notes: p.metadata, capture_method: p.capture_method, partial_payment: false, first_payment_min_amount: null,
    created_at: created, updated_at: new Date(p.updated_at),
  };
  const intent: DbIntent = {
    id: orderId, tenant_id: '', client_secret: '', payment_method: null, payment_method_set_at: null, customer: null, description: p.description,
    receipt_email: p.customer_email, capture_method: p.capture_method, confirmation_method: 'automatic', setup_future_usage: null,
    statement_descriptor: null, return_url: null, payment_method_types: ['card'],
    canceled_at: cancelled ? new Date(p.updated_at) : null, cancellation_reason: null, created_at: created, updated_at: new Date(p.updated_at),
  };
  const pi = paymentIntentObject({ intent, order, payments: [payment], baseUrl: '' });
  // A cancelled intent's payment failed only because it was cancelled: no payment error to show.
  // The challenge page's address (next_action) holds the client secret, which an event has not.
  return { ...pi, client_secret: null, next_action: null, ...(cancelled ? { last_payment_error: null } : {}) };
}

/**
 * The PaymentIntent a new order is, before any attempt: `requires_payment_method`, its amount,
 * currency and metadata. An order's object does not say how it will be captured nor what the
 * intent holds in the face's tables, so capture_method is `automatic` and the payment method null.
 */
export function paymentIntentOfOrder(o: OrderObject): Json {
  const created = new Date(o.created_at);
  const order: DbOrder = {
    id: o.id, tenant_id: '', amount: String(o.amount), currency: o.currency, amount_paid: String(o.amount_paid), status: o.status,
    attempts: o.attempts, receipt: o.receipt, notes: o.metadata, capture_method: null, partial_payment: false, first_payment_min_amount: null,
    created_at: created, updated_at: new Date(o.updated_at),
  };
  const intent: DbIntent = {
    id: o.id, tenant_id: '', client_secret: '', payment_method: null, payment_method_set_at: null, customer: null, description: null,
    receipt_email: null, capture_method: 'automatic', confirmation_method: 'automatic', setup_future_usage: null,
    statement_descriptor: null, return_url: null, payment_method_types: ['card'], canceled_at: null, cancellation_reason: null,
    created_at: created, updated_at: new Date(o.updated_at),
  };
  return { ...paymentIntentObject({ intent, order, payments: [], baseUrl: '' }), client_secret: null };
}

/** The Charge a payment is. */
export const chargeOfPayment = (p: PaymentObject): Json => chargeObject(paymentRow(p), null);

/** A Refund; `payment` (the refunded payment as of the event) names its PaymentIntent. */
export function refundOfRefund(r: RefundObject, payment: Pick<PaymentObject, 'order_id'> | null): Json {
  const row: DbRefund = {
    id: r.id, tenant_id: '', payment_id: r.payment_id, amount: String(r.amount), currency: r.currency, status: r.status, reason: r.reason,
    metadata: r.metadata, failure_code: r.failure_code, receipt: null, speed: r.speed ?? 'normal', idempotency_key: null, processed_at: at(r.processed_at), created_at: new Date(r.created_at), updated_at: new Date(r.updated_at),
  };
  return refundObject(row, { id: r.payment_id, order_id: payment?.order_id ?? null });
}

const unixOf = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** A Checkout Session from Sandpay's hosted checkout session: its amount as one line, paid once complete. */
export function checkoutSessionOfSession(s: SessionObject): Json {
  const complete = s.status === 'complete';
  return {
    id: s.id,
    object: 'checkout.session',
    amount_subtotal: s.amount,
    amount_total: s.amount,
    cancel_url: s.cancel_url,
    client_reference_id: null,
    client_secret: null,
    created: unixOf(s.created_at),
    currency: s.currency.toLowerCase(),
    customer: null,
    customer_details: s.prefill.email || s.prefill.name || s.prefill.contact
      ? { address: null, email: s.prefill.email ?? null, name: s.prefill.name ?? null, phone: s.prefill.contact ?? null, tax_exempt: 'none', tax_ids: [] }
      : null,
    customer_email: s.prefill.email ?? null,
    expires_at: unixOf(s.expires_at),
    livemode: false,
    metadata: stringMap(s.metadata),
    mode: 'payment',
    payment_intent: complete ? stripeId('pi', s.order_id) : null,
    payment_method_types: ['card'],
    payment_status: complete ? 'paid' : 'unpaid',
    status: s.status,
    success_url: s.success_url,
    ui_mode: 'hosted_page',
    url: s.status === 'open' ? s.url : null,
  };
}

/** The tenant's clock as Stripe's test clock (test-clocks.ts); the event knows no creation time, so created is its time. */
function testClockOfClock(c: ClockObject): Json {
  const frozen = unixOf(c.time);
  return {
    id: testClockId(c), object: 'test_helpers.test_clock', created: frozen, deletes_after: frozen + DELETES_AFTER_S, frozen_time: frozen,
    livemode: false, name: null, status: c.status, status_details: {},
  };
}

/**
 * The Stripe object of a native event's object under the Stripe name `name`: a payment is its
 * Charge for a charge.* name, else its PaymentIntent; null for an object Stripe's events do not carry.
 */
export function stripeObjectOf(object: ApiObject, paymentSnapshot: ApiObject | null, name: string): Json | null {
  switch (object.object) {
    case 'payment': {
      const p = object as unknown as PaymentObject;
      return name.startsWith('charge.') ? chargeOfPayment(p) : paymentIntentOfPayment(p, name === 'payment_intent.requires_action');
    }
    case 'refund':
      return refundOfRefund(object as unknown as RefundObject, paymentSnapshot as unknown as PaymentObject | null);
    case 'order':
      return paymentIntentOfOrder(object as unknown as OrderObject);
    case 'checkout.session':
      return checkoutSessionOfSession(object as unknown as SessionObject);
    case 'test_clock':
      return testClockOfClock(object as unknown as ClockObject);
    default:
      return null;
  }
}

import type { DbOrder } from '../../orders/orders.ts';
import type { DbPayment } from '../../payments/payments.ts';
import type { DbRefund } from '../../refunds/refunds.ts';
import { stripeId } from './ids.ts';
import { unix } from './schemas.ts';
import type { DbIntent, DbPaymentMethod } from './store.ts';
import { CAPTURED_STATUSES } from '../../payments/state-machine.ts';

/**
 * Ledger rows → Stripe's objects, in the shapes of the API version stripe-node 23 pins. Fields
 * Sandpay has nothing for are Stripe's empty values (null, [], {}), so code that reads them finds
 * what a test-mode account without those features answers.
 */

type Json = Record<string, unknown>;

const lower = (c: string) => c.toLowerCase();

/** Stripe's code, decline code and message for a ledger failure. */
export function declineOf(p: Pick<DbPayment, 'failure_code' | 'failure_message' | 'status'>): { code: string; decline_code?: string; message: string } {
  if (p.status === 'flagged') return { code: 'card_declined', decline_code: 'fraudulent', message: 'Your card was declined.' };
  switch (p.failure_code) {
    case 'card_declined':
    case 'payment_declined':
      return { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' };
    case 'insufficient_funds':
      return { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' };
    case 'expired_card':
      return { code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.' };
    case 'incorrect_cvc':
      return { code: 'incorrect_cvc', decline_code: 'incorrect_cvc', message: "Your card's security code is incorrect." };
    case 'processing_error':
      return { code: 'processing_error', decline_code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' };
    case 'fraud_blocked':
      return { code: 'card_declined', decline_code: 'fraudulent', message: 'Your card was declined.' };
    case 'lost_card':
    case 'stolen_card':
      return { code: 'card_declined', decline_code: p.failure_code, message: 'Your card was declined.' };
    case 'authentication_failed':
      return { code: 'payment_intent_authentication_failure', message: 'The provided PaymentMethod has failed authentication. Provide a new PaymentMethod to attempt to fulfill this PaymentIntent again.' };
    default:
      return { code: 'card_declined', decline_code: 'generic_decline', message: p.failure_message ?? 'Your card was declined.' };
  }
}

const FAILED = new Set(['failed', 'flagged']);

export type IntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';

/** A PaymentIntent's status: from what its order's payments have (a capture, an open authorization), then its latest attempt, or, before one, whether it has a payment method. */
export function intentStatus(intent: DbIntent, payments: readonly DbPayment[]): IntentStatus {
  if (intent.canceled_at) return 'canceled';
  // What the order has, before what its latest attempt did: a captured payment is the intent's
  // success, an open authorization waits for capture, whatever attempts came after (the native
  // API can make more payments on the same order).
  if (payments.some((p) => CAPTURED_STATUSES.has(p.status))) return 'succeeded';
  if (payments.some((p) => p.status === 'authorized')) return 'requires_capture';
  const latest = payments.at(-1);
  if (latest) {
    if (latest.status === 'pending') return latest.test_behaviour === 'three_ds_challenge' ? 'requires_action' : 'processing';
    if (latest.status === 'expired') return 'canceled';
    // Failed: a payment method set since asks to be confirmed; else a new one is needed.
    return methodSince(intent, latest) ? 'requires_confirmation' : 'requires_payment_method';
  }
  return intent.payment_method ? 'requires_confirmation' : 'requires_payment_method';
}

/** The attempt a PaymentIntent shows as its latest_charge: the captured one, the open authorization, else the newest. */
export function chargeOfIntent(payments: readonly DbPayment[]): DbPayment | undefined {
  return payments.find((p) => CAPTURED_STATUSES.has(p.status)) ?? payments.find((p) => p.status === 'authorized') ?? payments.at(-1);
}

const methodSince = (intent: DbIntent, latest: DbPayment) =>
  intent.payment_method !== null && intent.payment_method_set_at !== null && intent.payment_method_set_at > latest.updated_at;

export interface IntentParts {
  intent: DbIntent;
  order: DbOrder;
  /** The order's payments, oldest first. */
  payments: DbPayment[];
  /** The answer's base URL (for next_action's challenge page). */
  baseUrl: string;
}

export function paymentIntentObject({ intent, order, payments, baseUrl }: IntentParts): Json {
  const latest = chargeOfIntent(payments);
  const status = intentStatus(intent, payments);
  const id = stripeId('pi', order.id);
  const captured = payments.find((p) => CAPTURED_STATUSES.has(p.status));
  const failed = latest && FAILED.has(latest.status) && status === 'requires_payment_method' ? latest : undefined;
  const paymentMethod = failed ? null : intent.payment_method;
  return {
    id,
    object: 'payment_intent',
    amount: Number(order.amount),
    amount_capturable: latest?.status === 'authorized' ? Number(latest.amount) : 0,
    amount_details: { tip: {} },
    amount_received: captured ? Number(captured.amount_captured) : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: intent.canceled_at ? unix(intent.canceled_at) : latest?.status === 'expired' ? unix(latest.updated_at) : null,
    cancellation_reason: intent.cancellation_reason ?? (latest?.status === 'expired' ? 'automatic' : null),
    capture_method: intent.capture_method,
    client_secret: intent.client_secret || null,
    confirmation_method: intent.confirmation_method,
    created: unix(intent.created_at),
    currency: lower(order.currency),
    customer: intent.customer,
    description: intent.description,
    last_payment_error: failed ? { type: 'card_error', ...declineOf(failed), charge: stripeId('ch', failed.id), payment_method: null } : null,
    latest_charge: latest ? stripeId('ch', latest.id) : null,
    livemode: false,
    metadata: stringMap(order.notes),
    next_action: status === 'requires_action' ? nextAction(id, intent, baseUrl) : null,
    on_behalf_of: null,
    payment_method: paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: intent.payment_method_types,
    processing: null,
    receipt_email: intent.receipt_email,
    review: null,
    setup_future_usage: intent.setup_future_usage,
    shipping: null,
    source: null,
    statement_descriptor: intent.statement_descriptor,
    statement_descriptor_suffix: null,
    status,
    transfer_data: null,
    transfer_group: null,
  };
}

/** The challenge page's path (routes/challenge.ts): a page Sandpay serves, not a /v1 API route. */
export const challengePath = (piId: string) => `/stripe/challenge/${piId}`;

/** Where the payer completes 3-D Secure: Sandpay's challenge page, back to return_url afterwards. */
function nextAction(id: string, intent: DbIntent, baseUrl: string): Json {
  const url = `${baseUrl}${challengePath(id)}?client_secret=${encodeURIComponent(intent.client_secret)}`;
  return intent.return_url
    ? { type: 'redirect_to_url', redirect_to_url: { url, return_url: intent.return_url } }
    : { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url } };
}

export const stringMap = (m: Record<string, unknown> | null | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(m ?? {}).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)]));

const CHARGE_STATUS: Record<string, 'pending' | 'succeeded' | 'failed'> = {
  pending: 'pending', authorized: 'succeeded', success: 'succeeded', partially_refunded: 'succeeded', refunded: 'succeeded', failed: 'failed', flagged: 'failed', expired: 'failed',
};

/** A Charge: one attempt (a payment) of a PaymentIntent, or any payment of the ledger. */
export function chargeObject(p: DbPayment, paymentMethod: string | null): Json {
  const status = CHARGE_STATUS[p.status]!;
  const captured = Number(p.amount_captured);
  const refunded = Number(p.amount_refunded);
  const decline = status === 'failed' ? declineOf(p) : null;
  return {
    id: stripeId('ch', p.id),
    object: 'charge',
    amount: Number(p.amount),
    amount_captured: captured,
    amount_refunded: refunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: null, email: p.customer_email, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'SANDPAY',
    captured: captured > 0,
    created: unix(p.created_at),
    currency: lower(p.currency),
    customer: null,
    description: p.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    fraud_details: p.status === 'flagged' ? { stripe_report: 'fraudulent' } : {},
    livemode: false,
    metadata: stringMap(p.metadata),
    on_behalf_of: null,
    outcome: outcomeOf(p, decline),
    paid: status === 'succeeded',
    payment_intent: p.order_id ? stripeId('pi', p.order_id) : null,
    payment_method: paymentMethod,
    payment_method_details: p.method === 'card'
      ? {
          type: 'card',
          card: {
            amount_authorized: status === 'succeeded' ? Number(p.amount) : null, brand: p.card_brand, checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
            country: 'US', exp_month: p.card_exp_month, exp_year: p.card_exp_year, fingerprint: p.card_fingerprint, funding: 'credit', last4: p.card_last4,
            network: p.card_brand, three_d_secure: null, wallet: null,
          },
        }
      : { type: p.method },
    receipt_email: p.customer_email,
    receipt_number: null,
    receipt_url: null,
    refunded: captured > 0 && refunded >= captured,
    review: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status,
    transfer_data: null,
    transfer_group: null,
  };
}

function outcomeOf(p: DbPayment, decline: ReturnType<typeof declineOf> | null): Json | null {
  if (p.status === 'pending') return null;
  if (p.status === 'flagged' || p.failure_code === 'fraud_blocked') {
    return { type: 'blocked', network_status: 'not_sent_to_network', reason: 'highest_risk_level', risk_level: 'highest', seller_message: 'Stripe blocked this payment as too risky.', advice_code: null, network_advice_code: null, network_decline_code: null };
  }
  if (decline) {
    return { type: 'issuer_declined', network_status: 'declined_by_network', reason: decline.decline_code ?? decline.code, risk_level: 'normal', seller_message: 'The bank did not return any further details with this decline.', advice_code: null, network_advice_code: null, network_decline_code: null };
  }
  return { type: 'authorized', network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', advice_code: null, network_advice_code: null, network_decline_code: null };
}

const REFUND_STATUS: Record<string, string> = { pending: 'pending', processed: 'succeeded', failed: 'failed' };

export function refundObject(r: DbRefund, payment: Pick<DbPayment, 'id' | 'order_id'>): Json {
  return {
    id: stripeId('re', r.id),
    object: 'refund',
    amount: Number(r.amount),
    balance_transaction: null,
    charge: stripeId('ch', payment.id),
    created: unix(r.created_at),
    currency: lower(r.currency),
    destination_details: null,
    metadata: stringMap(r.metadata),
    payment_intent: payment.order_id ? stripeId('pi', payment.order_id) : null,
    reason: r.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: REFUND_STATUS[r.status] ?? r.status,
    transfer_reversal: null,
    ...(r.status === 'failed' ? { failure_reason: 'unknown' } : {}),
  };
}

export function paymentMethodObject(pm: DbPaymentMethod): Json {
  return {
    id: pm.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null, ...pm.billing_details },
    card: {
      brand: pm.brand, checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'unchecked' }, country: 'US', display_brand: pm.brand,
      exp_month: pm.exp_month, exp_year: pm.exp_year, fingerprint: pm.fingerprint, funding: pm.funding, generated_from: null, last4: pm.last4,
      networks: { available: [pm.brand], preferred: null }, regulated_status: 'unregulated', three_d_secure_usage: { supported: true }, wallet: null,
    },
    created: unix(pm.created_at),
    customer: pm.customer_id,
    livemode: false,
    metadata: pm.metadata,
    type: 'card',
  };
}

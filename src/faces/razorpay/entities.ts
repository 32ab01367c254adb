import type { OrderObject } from '../../orders/schemas.ts';
import type { PaymentObject } from '../../payments/schemas.ts';
import type { RefundObject } from '../../refunds/schemas.ts';
import type { RzpOrder, RzpPayment, RzpRefund } from './schemas.ts';
import { acquirerDataOf, feeOf } from './fees.ts';
import { autoRefundIdOf, cardIdOf } from './ids.ts';
import { autoRefunded, paymentErrorOf, RAZORPAY_ORDER_STATUS, RAZORPAY_PAYMENT_STATUS, RAZORPAY_REFUND_STATUS, refundStatusOf } from './status.ts';

/**
 * Razorpay's entities, made from the native API objects (what /api/v1 answers and what events
 * carry): one domain, two faces. The /v1 routes and Razorpay-format webhooks both go through
 * these functions, so a payment reads the same whichever way it is looked at.
 */

export const unixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Razorpay answers empty notes as [] (a PHP empty array). */
const notesOf = (m: Record<string, unknown>) => (Object.keys(m).length === 0 ? [] : m);

const NETWORKS: Record<string, string> = { visa: 'Visa', mastercard: 'MasterCard', amex: 'American Express', rupay: 'RuPay' };

export function rzpOrder(o: OrderObject): RzpOrder {
  return {
    id: o.id,
    entity: 'order',
    amount: o.amount,
    amount_paid: o.amount_paid,
    amount_due: o.amount_due,
    currency: o.currency,
    receipt: o.receipt,
    offer_id: null,
    status: RAZORPAY_ORDER_STATUS[o.status],
    attempts: o.attempts,
    notes: notesOf(o.metadata),
    created_at: unixSeconds(o.created_at),
  };
}

/**
 * A payment as Razorpay shows it. `asAuthorized`: as it was at authorization, for the
 * payment.authorized webhook Razorpay sends before payment.captured even when it captures at once.
 */
export function rzpPayment(p: PaymentObject, asAuthorized = false): RzpPayment {
  // An authorization left uncaptured past its window: Razorpay refunded it in full (status.ts).
  const refunded = !asAuthorized && autoRefunded(p);
  const { status, captured } = asAuthorized
    ? { status: 'authorized' as const, captured: false }
    : refunded ? { status: 'refunded' as const, captured: false } : RAZORPAY_PAYMENT_STATUS[p.status];
  const error = paymentErrorOf(p);
  const charges = captured ? feeOf(p) : null;
  const cardId = p.card ? cardIdOf(p.id) : null;
  return {
    id: p.id,
    entity: 'payment',
    amount: p.amount,
    currency: p.currency,
    status,
    order_id: p.order_id,
    invoice_id: null,
    international: p.billing.country !== null && p.billing.country !== 'IN',
    method: p.method,
    amount_refunded: asAuthorized ? 0 : refunded ? p.amount : p.amount_refunded,
    refund_status: asAuthorized ? null : refunded ? 'full' : refundStatusOf(p.amount_refunded, p.amount_captured),
    captured,
    description: p.description,
    card_id: cardId,
    ...(p.card
      ? {
          card: {
            id: cardId, entity: 'card' as const, name: null, last4: p.card.last4, network: NETWORKS[p.card.brand ?? ''] ?? p.card.brand,
            type: p.card.funding, issuer: null, international: false, emi: false,
            // Every test card is a consumer card; token_iin is a saved card's (token) IIN, and no payment here paid with one.
            sub_type: 'consumer', token_iin: null,
          },
        }
      : {}),
    bank: p.bank ?? null,
    wallet: p.wallet ?? null,
    vpa: p.vpa ?? null,
    email: p.customer_email,
    contact: p.customer_contact,
    notes: notesOf(p.metadata),
    // Razorpay shows its fee (GST included) and the GST once a payment is captured (fees.ts).
    fee: charges?.fee ?? null,
    tax: charges?.tax ?? null,
    error_code: error?.error_code ?? null,
    error_description: error?.error_description ?? null,
    error_source: error?.error_source ?? null,
    error_step: error?.error_step ?? null,
    error_reason: error?.error_reason ?? null,
    acquirer_data: status === 'created' || status === 'failed' ? {} : acquirerDataOf(p),
    created_at: unixSeconds(p.created_at),
  };
}

export function rzpRefund(r: RefundObject, receipt: string | null = null): RzpRefund {
  return {
    id: r.id,
    entity: 'refund',
    amount: r.amount,
    currency: r.currency,
    payment_id: r.payment_id,
    notes: notesOf(r.metadata),
    receipt,
    acquirer_data: { arn: null },
    created_at: unixSeconds(r.created_at),
    batch_id: null,
    status: RAZORPAY_REFUND_STATUS[r.status],
    // Razorpay's test mode processes an optimum refund instantly, a normal one at normal speed.
    speed_processed: r.speed === 'optimum' ? 'instant' : 'normal',
    speed_requested: r.speed,
  };
}

/**
 * The refund Razorpay makes of a payment auto-refunded (an authorization left uncaptured past its
 * window), as its refund.created (`pending`) and refund.processed webhooks carry it: the whole
 * amount, at normal speed (Razorpay's auto-refunds always are), created when the payment expired.
 */
export function rzpAutoRefund(p: PaymentObject, status: 'pending' | 'processed', createdAt: number): RzpRefund {
  return {
    id: autoRefundIdOf(p.id),
    entity: 'refund',
    amount: p.amount,
    currency: p.currency,
    payment_id: p.id,
    notes: [],
    receipt: null,
    acquirer_data: { arn: null },
    created_at: createdAt,
    batch_id: null,
    status,
    speed_processed: 'normal',
    speed_requested: 'normal',
  };
}

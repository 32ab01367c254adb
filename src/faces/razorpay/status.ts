import type { ORDER_STATUSES } from '../../orders/schemas.ts';
import type { PaymentStatus, RefundStatus } from '../../payments/state-machine.ts';

/**
 * How each native payment status reads in Razorpay's terms: the one table both the /v1 API and
 * Razorpay-format webhooks go through. Razorpay has no `flagged` or `expired`: a flagged payment
 * failed its risk check and an expired one timed out (or, expired after authorization, was
 * auto-refunded: autoRefunded below), so both are `failed` there, with an
 * error_reason saying which. A partly refunded payment stays `captured` (refund_status `partial`).
 */
export const RAZORPAY_PAYMENT_STATUS: Record<PaymentStatus, { status: RazorpayPaymentStatus; captured: boolean }> = {
  pending: { status: 'created', captured: false },
  authorized: { status: 'authorized', captured: false },
  success: { status: 'captured', captured: true },
  partially_refunded: { status: 'captured', captured: true },
  refunded: { status: 'refunded', captured: true },
  failed: { status: 'failed', captured: false },
  flagged: { status: 'failed', captured: false },
  expired: { status: 'failed', captured: false },
};

/** Orders and refunds have Razorpay's own statuses natively; the tables say so, so a new native status must be mapped here. */
export const RAZORPAY_ORDER_STATUS: Record<(typeof ORDER_STATUSES)[number], 'created' | 'attempted' | 'paid'> = {
  created: 'created',
  attempted: 'attempted',
  paid: 'paid',
};

export const RAZORPAY_REFUND_STATUS: Record<RefundStatus, 'pending' | 'processed' | 'failed'> = {
  pending: 'pending',
  processed: 'processed',
  failed: 'failed',
};

/**
 * Razorpay refunds a payment left authorized uncaptured 3 days after its creation (its capture
 * settings' default, and their longest): what the Razorpay face's checkout gives its payments.
 */
export const RAZORPAY_AUTHORIZATION_WINDOW_SECONDS = 3 * 86_400;

/** How the face's own payment calls (createUpi, QR codes, virtual accounts) create a payment: on Razorpay's window. */
export const RAZORPAY_PAYMENT = { authorizationWindowSeconds: RAZORPAY_AUTHORIZATION_WINDOW_SECONDS } as const;

/**
 * An authorization that expired uncaptured (the ledger's `expired` after `authorized`): Razorpay
 * auto-refunded it, so it reads `refunded`, in full, never captured, with no error. A payment
 * that expired before authorization (it timed out) stays `failed`.
 */
export const autoRefunded = (p: { status: PaymentStatus; authorized_at: Date | string | null }): boolean => p.status === 'expired' && p.authorized_at !== null;

export const RAZORPAY_PAYMENT_STATUSES = ['created', 'authorized', 'captured', 'refunded', 'failed'] as const;
export type RazorpayPaymentStatus = (typeof RAZORPAY_PAYMENT_STATUSES)[number];

/** Razorpay's refund_status: null until something is refunded, then partial or full. */
export function refundStatusOf(amountRefunded: number, amountCaptured: number): 'partial' | 'full' | null {
  if (amountRefunded <= 0) return null;
  return amountRefunded >= amountCaptured ? 'full' : 'partial';
}

export interface RazorpayPaymentError {
  error_code: string;
  error_description: string;
  error_source: string;
  error_step: string;
  error_reason: string;
}

type ErrorParts = Omit<RazorpayPaymentError, 'error_description'>;

const declined = (source: string, reason: string, step = 'payment_authorization'): ErrorParts => ({ error_code: 'BAD_REQUEST_ERROR', error_source: source, error_step: step, error_reason: reason });

/** A failed payment's native failure code, as Razorpay's error fields. */
export const RAZORPAY_FAILURE: Record<string, ErrorParts> = {
  card_declined: declined('bank', 'card_declined'),
  insufficient_funds: declined('bank', 'insufficient_funds'),
  expired_card: declined('customer', 'card_expired'),
  incorrect_cvc: declined('customer', 'incorrect_cvv'),
  lost_card: declined('bank', 'card_declined'),
  stolen_card: declined('bank', 'card_declined'),
  processing_error: { error_code: 'GATEWAY_ERROR', error_source: 'gateway', error_step: 'payment_authorization', error_reason: 'gateway_technical_error' },
  upi_declined: declined('customer', 'payment_declined'),
  bank_declined: declined('bank', 'payment_declined'),
  payment_declined: declined('bank', 'payment_declined'),
  payment_cancelled: declined('customer', 'payment_cancelled', 'payment_authentication'),
  authentication_failed: declined('customer', 'authentication_failed', 'payment_authentication'),
  fraud_blocked: declined('internal', 'payment_risk_check_failed', 'payment_initiation'),
  order_already_paid: declined('internal', 'order_already_paid'),
};

const UNKNOWN_FAILURE = declined('NA', 'payment_failed');

/** The error fields of a payment that did not go through; null fields for one that did (or is still going). */
export function paymentErrorOf(p: { status: PaymentStatus; failure_code: string | null; failure_message: string | null; authorized_at: Date | string | null }): RazorpayPaymentError | null {
  if (autoRefunded(p)) return null;
  switch (p.status) {
    case 'failed':
      return { ...(RAZORPAY_FAILURE[p.failure_code ?? ''] ?? UNKNOWN_FAILURE), error_description: p.failure_message ?? 'Payment failed' };
    case 'flagged':
      return { ...declined('internal', 'payment_risk_check_failed', 'payment_initiation'), error_description: 'The payment was held by a fraud rule.' };
    case 'expired':
      return { ...declined('customer', 'payment_timed_out', 'payment_authentication'), error_description: 'The payment was not completed in time.' };
    default:
      return null;
  }
}

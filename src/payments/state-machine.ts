import { stateError } from '../core/errors.ts';

export const PAYMENT_STATUSES = [
  'pending', 'authorized', 'success', 'failed', 'flagged', 'expired', 'partially_refunded', 'refunded',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * Every legal payment move. CONVENTIONS lists pending → authorized → success, pending →
 * success | failed | flagged | expired, success → partially_refunded → refunded; an authorized
 * payment may also be cancelled (→ failed) or expire uncaptured (→ expired), and a partially
 * refunded payment takes further partial refunds.
 */
const TRANSITIONS: Record<PaymentStatus, readonly PaymentStatus[]> = {
  pending: ['authorized', 'success', 'failed', 'flagged', 'expired'],
  authorized: ['success', 'failed', 'expired'],
  success: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  failed: [],
  flagged: [],
  expired: [],
  refunded: [],
};

/** The statuses of a payment that took the money (captured; refunds do not undo that it was). */
export const CAPTURED_STATUSES: ReadonlySet<string> = new Set<PaymentStatus>(['success', 'partially_refunded', 'refunded']);

export const TERMINAL_STATUSES: readonly PaymentStatus[] = PAYMENT_STATUSES.filter((s) => TRANSITIONS[s].length === 0);

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws 409 state_error naming the current state when the move is illegal. */
export function assertTransition(from: PaymentStatus, to: PaymentStatus, what = 'Payment'): void {
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from];
    const said = from === to ? `${what} is ${from} already` : `${what} is ${from}; it cannot become ${to}`;
    throw stateError('invalid_state_transition', said + (allowed.length ? ` (from ${from} it can become ${allowed.join(', ')})` : ` (${from} is final)`));
  }
}

/** The event each status emits when a payment enters it. */
export const STATUS_EVENT: Record<PaymentStatus, string> = {
  pending: 'payment.created',
  authorized: 'payment.authorized',
  success: 'payment.success',
  failed: 'payment.failed',
  flagged: 'payment.flagged',
  expired: 'payment.expired',
  partially_refunded: 'payment.partially_refunded',
  refunded: 'payment.refunded',
};

export const REFUND_STATUSES = ['pending', 'processed', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export function assertRefundTransition(from: RefundStatus, to: RefundStatus): void {
  if (from !== 'pending' || to === 'pending') {
    throw stateError('invalid_state_transition', `Refund is ${from}; it cannot become ${to}` + (from === 'pending' ? '' : ` (${from} is final)`));
  }
}

import { createHash } from 'node:crypto';
import type { CardInput } from './schemas.ts';
import { badRequest } from '../core/errors.ts';
import { luhnValid } from '../core/secret-text.ts';

/**
 * What a test instrument asks the simulator to do. This table is public API: the README
 * publishes it, and tests walk every row.
 */
export type Behaviour =
  | 'succeed'
  | 'decline'
  | 'insufficient_funds'
  | 'expired_card'
  | 'incorrect_cvc'
  | 'processing_error'
  | 'lost_card'
  | 'stolen_card'
  | 'delayed_success'
  | 'stay_pending'
  | 'fraud'
  // The 3-D Secure test card in the hosted checkout: pending until the payer completes or fails the challenge.
  | 'three_ds_challenge';

export const FAILURES: Partial<Record<Behaviour, { code: string; message: string }>> = {
  decline: { code: 'card_declined', message: 'The card was declined.' },
  insufficient_funds: { code: 'insufficient_funds', message: 'The card has insufficient funds.' },
  expired_card: { code: 'expired_card', message: 'The card has expired.' },
  incorrect_cvc: { code: 'incorrect_cvc', message: "The card's security code is incorrect." },
  processing_error: { code: 'processing_error', message: 'An error occurred while processing the card.' },
  lost_card: { code: 'lost_card', message: 'The card was reported lost.' },
  stolen_card: { code: 'stolen_card', message: 'The card was reported stolen.' },
};

/** Messages for failure codes a developer may pass to simulate, or that the simulator produces. */
export const FAILURE_MESSAGES: Record<string, string> = {
  ...Object.fromEntries(Object.values(FAILURES).map((f) => [f!.code, f!.message])),
  payment_declined: 'The payment was declined.',
  payment_cancelled: 'The payment was cancelled before completion.',
  fraud_blocked: 'The payment was blocked by a fraud rule.',
  upi_declined: 'The UPI payment was declined by the payer.',
  bank_declined: 'The bank declined the payment.',
  authentication_failed: 'The payer did not complete 3-D Secure authentication.',
  order_already_paid: 'The order was already paid by another payment; this one was not captured and its amount was released to the payer.',
};

export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard' | 'amex' | 'rupay';
  behaviour: Behaviour;
  /** Credit unless the card says otherwise (Razorpay's card.type, Stripe's card.funding). */
  funding?: CardFunding;
  /** One of Stripe's own published numbers, listed only on Stripe's pages (every face still takes it). */
  stripe?: true;
}

export type CardFunding = 'credit' | 'debit' | 'prepaid';

export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', behaviour: 'succeed' },
  { number: '5555555555554444', brand: 'mastercard', behaviour: 'succeed' },
  { number: '378282246310005', brand: 'amex', behaviour: 'succeed' },
  { number: '6521000000000007', brand: 'rupay', behaviour: 'succeed' },
  { number: '4000056655665556', brand: 'visa', behaviour: 'succeed', funding: 'debit' },
  { number: '5200828282828210', brand: 'mastercard', behaviour: 'succeed', funding: 'debit' },
  { number: '5105105105105100', brand: 'mastercard', behaviour: 'succeed', funding: 'prepaid' },
  { number: '4000000000000002', brand: 'visa', behaviour: 'decline' },
  { number: '4000000000009995', brand: 'visa', behaviour: 'insufficient_funds' },
  { number: '4000000000000069', brand: 'visa', behaviour: 'expired_card' },
  { number: '4000000000000127', brand: 'visa', behaviour: 'incorrect_cvc' },
  { number: '4000000000000119', brand: 'visa', behaviour: 'processing_error' },
  { number: '4000000000009987', brand: 'visa', behaviour: 'lost_card' },
  { number: '4000000000009979', brand: 'visa', behaviour: 'stolen_card' },
  { number: '4000000000003220', brand: 'visa', behaviour: 'delayed_success' },
  // Stripe's other 3-D Secure cards: always authenticate (3063, 3184), authenticate unless set up off-session (3155, taken as always here).
  { number: '4000000000003063', brand: 'visa', behaviour: 'delayed_success', stripe: true },
  { number: '4000002760003184', brand: 'visa', behaviour: 'delayed_success', stripe: true },
  { number: '4000002500003155', brand: 'visa', behaviour: 'delayed_success', stripe: true },
  { number: '4000000000000077', brand: 'visa', behaviour: 'stay_pending' },
  { number: '4100000000000019', brand: 'visa', behaviour: 'fraud' },
];

/**
 * A stored card's kind, from its first six digits (kept with the payment): each test card that is
 * not a credit card has a BIN of its own.
 */
export function cardFunding(bin: string | null): CardFunding {
  return TEST_CARDS.find((c) => c.funding !== undefined && c.number.startsWith(bin ?? '-'))?.funding ?? 'credit';
}

export const TEST_VPAS: Readonly<Record<string, Behaviour>> = {
  'success@sandpay': 'succeed',
  'failure@sandpay': 'decline',
  'pending@sandpay': 'stay_pending',
  'delayed@sandpay': 'delayed_success',
  // Razorpay's own test VPAs, so an integration's tests keep theirs.
  'success@razorpay': 'succeed',
  'failure@razorpay': 'decline',
};

/** Non-card failures use a method-specific code rather than card_declined. */
export function failureFor(behaviour: Behaviour, method: string): { code: string; message: string } | null {
  if (behaviour === 'decline' && method === 'upi') return { code: 'upi_declined', message: FAILURE_MESSAGES.upi_declined! };
  if (behaviour === 'decline' && method === 'netbanking') return { code: 'bank_declined', message: FAILURE_MESSAGES.bank_declined! };
  return FAILURES[behaviour] ?? null;
}

export interface ResolvedCard {
  brand: TestCard['brand'];
  last4: string;
  bin: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  behaviour: Behaviour;
}

/** Same card, same fingerprint within a tenant; salted by tenant so tenants cannot correlate cards. */
export function cardFingerprint(tenantId: string, number: string): string {
  return createHash('sha256').update(`${tenantId}:${number}`).digest('base64url').slice(0, 16);
}

/** Only published test numbers are accepted: a sandbox must never see a real card. */
export function resolveCard(tenantId: string, card: CardInput, now = new Date()): ResolvedCard {
  const number = card.number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) {
    throw badRequest('invalid_card_number', 'The card number is not valid; use a test card from the README', 'card.number');
  }
  const test = TEST_CARDS.find((c) => c.number === number);
  if (!test) {
    throw badRequest('unknown_test_card', 'Sandpay only accepts its published test card numbers; use a test card from the README', 'card.number');
  }
  const cvcLength = test.brand === 'amex' ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test(card.cvc)) {
    throw badRequest('invalid_cvc', `The cvc must be ${cvcLength} digits for ${test.brand}`, 'card.cvc');
  }
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  if (card.exp_year < year || (card.exp_year === year && card.exp_month < month)) {
    throw badRequest('invalid_expiry_year', 'The card expiry date is in the past', 'card.exp_year');
  }
  return {
    brand: test.brand,
    last4: number.slice(-4),
    bin: number.slice(0, 6),
    exp_month: card.exp_month,
    exp_year: card.exp_year,
    fingerprint: cardFingerprint(tenantId, number),
    behaviour: test.behaviour,
  };
}

/** Magic VPAs pick an outcome; any other well-formed VPA succeeds. */
export function vpaBehaviour(vpa: string): Behaviour {
  return TEST_VPAS[vpa.toLowerCase()] ?? 'succeed';
}

/** Netbanking test bank codes: FAIL declines, PEND stays pending, SLOW succeeds after a delay. */
export function bankBehaviour(bank: string): Behaviour {
  return ({ FAIL: 'decline', PEND: 'stay_pending', SLOW: 'delayed_success' } as Record<string, Behaviour>)[bank] ?? 'succeed';
}

import type { Tx } from '../../db/pool.ts';
import { resolveCard } from '../../payments/instruments.ts';
import type { CardInput } from '../../payments/schemas.ts';
import { badRequest } from '../../core/errors.ts';
import { noSuch } from './errors.ts';
import { newStripeId } from './ids.ts';
import { findPaymentMethod, insertPaymentMethod, type DbPaymentMethod } from './store.ts';

/**
 * Stripe's documented test payment methods and tokens, each the Sandpay test card that behaves as
 * it does (src/payments/instruments.ts): one table of test cards drives every face. Using one
 * makes a new `pm_…`, as Stripe does.
 */
const TEST_CARDS: Record<string, string> = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  chargeDeclined: '4000000000000002',
  chargeDeclinedInsufficientFunds: '4000000000009995',
  chargeDeclinedExpiredCard: '4000000000000069',
  chargeDeclinedIncorrectCvc: '4000000000000127',
  chargeDeclinedProcessingError: '4000000000000119',
  chargeDeclinedLostCard: '4000000000009987',
  chargeDeclinedStolenCard: '4000000000009979',
  threeDSecure2Required: '4000000000003220',
  threeDSecureRequired: '4000000000003063',
  authenticationRequiredOnSetup: '4000002500003155',
  authenticationRequired: '4000000000003220',
  radarBlock: '4100000000000019',
};

/** `pm_card_visa`, `pm_card_visa_chargeDeclined`, `tok_visa`, `tok_chargeDeclined`… → the card number; undefined for anything else. */
export function testCardOf(ref: string): string | undefined {
  const m = /^(?:pm_card_|tok_)(?:visa_(?=charge))?([A-Za-z0-9]+)$/.exec(ref);
  return m ? TEST_CARDS[m[1]!] : undefined;
}

/** The documented test references, for the README and the tests. */
export const TEST_PAYMENT_METHODS = Object.keys(TEST_CARDS).map((k) => `pm_card_${k}`);

const testCard = (number: string): CardInput => ({ number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: number.startsWith('3') ? '1234' : '123' });

/** Stores a card as a payment method: its details and behaviour, never its number or cvc. */
export function storeCard(
  t: Tx, tenantId: string, card: CardInput, extra: { customer?: string | null; billing_details?: Record<string, unknown>; metadata?: Record<string, string> } = {},
): Promise<DbPaymentMethod> {
  const c = resolveCard(tenantId, card);
  return insertPaymentMethod(t, {
    id: newStripeId('pm'), tenant_id: tenantId, customer_id: extra.customer ?? null, funding: 'credit',
    billing_details: extra.billing_details ?? {}, metadata: extra.metadata ?? {},
    behaviour: c.behaviour, brand: c.brand, last4: c.last4, bin: c.bin, exp_month: c.exp_month, exp_year: c.exp_year, fingerprint: c.fingerprint,
  });
}

/** A `payment_method` parameter: one of the tenant's `pm_…`, or a test reference, stored now. */
export async function paymentMethodFor(t: Tx, tenantId: string, ref: string, param = 'payment_method'): Promise<DbPaymentMethod> {
  const number = testCardOf(ref);
  if (number) return storeCard(t, tenantId, testCard(number));
  const pm = ref.startsWith('pm_') ? await findPaymentMethod(t, tenantId, ref) : undefined;
  if (!pm) throw noSuch('PaymentMethod', ref, param);
  return pm;
}

/**
 * A card saved to a customer is that customer's: Stripe uses it only for an intent of the same
 * customer, whichever key confirms (a publishable key holding one intent's secret must not spend
 * another customer's saved card). A card saved to nobody goes with any intent.
 */
export function checkMethodCustomer(pm: DbPaymentMethod, customer: string | null, param = 'payment_method'): void {
  if (pm.customer_id === null || pm.customer_id === customer) return;
  throw badRequest('payment_method_invalid_parameter', customer === null
    ? `The PaymentMethod ${pm.id} is attached to a Customer; set the PaymentIntent's customer to ${pm.customer_id} to use it.`
    : `The PaymentMethod ${pm.id} belongs to a different Customer than this PaymentIntent's (${customer}); use one of ${customer}'s PaymentMethods.`, param);
}

/** `card[token]=tok_visa`: the card a test token stands for. */
export function cardOfToken(token: string): CardInput {
  const number = testCardOf(token);
  if (!number) throw noSuch('token', token, 'card[token]');
  return testCard(number);
}

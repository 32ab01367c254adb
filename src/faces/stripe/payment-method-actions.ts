import { DomainError, badRequest } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import type { CardInput } from '../../payments/schemas.ts';
import type { BillingDetails, CardParams, PaymentMethodCreate, PaymentMethodUpdate } from './customer-schemas.ts';
import { attachMethod, requireCustomer, type ListQuery } from './customers.ts';
import { ownId, withCursors } from './cursors.ts';
import { customerObject } from './customers.ts';
import { paymentMethodObject } from './entities.ts';
import { CardError, noSuch, unexpectedState } from './errors.ts';
import { isStripeId } from './ids.ts';
import { cardOfToken, paymentMethodFor, storeCard } from './payment-methods.ts';
import type { Raise } from './object-events.ts';
import { mergeMetadata } from './schemas.ts';
import { findPaymentMethod, pagePaymentMethods, setPaymentMethodCustomer, updateCustomerRow, updatePaymentMethodRow, type DbPaymentMethod } from './store.ts';

/**
 * PaymentMethods through Stripe's API: made from a test card number or a test token (stored by
 * payment-methods.ts, never the number), updated, attached to a customer and detached. A card
 * refused when it is stored is Stripe's 402 card error naming the field, as Stripe answers.
 */

/** A card refused as it is stored: Stripe's card error naming the card field, with no charge or intent. */
const cardDetailsError = (code: string, message: string, param: string, declineCode?: string) =>
  new CardError(code, message, declineCode ? { decline_code: declineCode } : {}, param);

const missing = (param: string) => badRequest('parameter_missing', `Missing required parameter: ${param}`, param);

function checkExpiry(month: number, year: number, now = new Date()): void {
  if (month < 1 || month > 12) throw cardDetailsError('invalid_expiry_month', "Your card's expiration month is invalid.", 'card[exp_month]');
  if (year < now.getUTCFullYear() || year > now.getUTCFullYear() + 50) throw cardDetailsError('invalid_expiry_year', "Your card's expiration year is invalid.", 'card[exp_year]');
  if (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1) throw cardDetailsError('invalid_expiry_month', "Your card's expiration month is invalid.", 'card[exp_month]');
}

/** `card[…]` as a card: a test token's, or the number and expiry given (cvc optional, as Stripe allows). */
function cardOf(card: CardParams): CardInput {
  if (card.token !== undefined) {
    if (card.number !== undefined) throw badRequest('parameter_invalid', 'Send card.token or the card.number, not both', 'card.token');
    return cardOfToken(card.token);
  }
  if (card.number === undefined) throw missing('card.number');
  if (card.exp_month === undefined) throw missing('card.exp_month');
  if (card.exp_year === undefined) throw missing('card.exp_year');
  checkExpiry(card.exp_month, card.exp_year);
  const digits = card.number.replace(/[\s-]/g, '');
  return { number: digits, exp_month: card.exp_month, exp_year: card.exp_year, cvc: card.cvc ?? (/^3[47]/.test(digits) ? '1234' : '123') };
}

/** resolveCard's refusals (src/payments/instruments.ts) in Stripe's words. */
function stripeCardError(err: unknown, card: CardInput): unknown {
  if (!(err instanceof DomainError)) return err;
  switch (err.code) {
    case 'invalid_card_number':
      return /^\d{12,19}$/.test(card.number)
        ? cardDetailsError('incorrect_number', 'Your card number is incorrect.', 'card[number]')
        : cardDetailsError('invalid_number', 'Your card number is not a valid card number.', 'card[number]');
    case 'unknown_test_card':
      return cardDetailsError('card_declined', 'Your card was declined: Sandpay is a test system and takes only its published test card numbers (see the README).', 'card[number]', 'test_mode_live_card');
    case 'invalid_cvc':
      return cardDetailsError('invalid_cvc', "Your card's security code is invalid.", 'card[cvc]');
    case 'invalid_expiry_year':
      return cardDetailsError('invalid_expiry_year', "Your card's expiration year is invalid.", 'card[exp_year]');
    default:
      return err;
  }
}

/** Billing details patched field by field (null clears one); the address is replaced whole. */
const billingOf = (current: Record<string, unknown>, patch: BillingDetails | undefined): Record<string, unknown> => ({
  ...current,
  ...Object.fromEntries(Object.entries(patch ?? {}).filter(([, v]) => v !== undefined)),
});

export async function createPaymentMethod(t: Tx, tenantId: string, input: PaymentMethodCreate): Promise<DbPaymentMethod> {
  const card = cardOf(input.card);
  try {
    return await storeCard(t, tenantId, card, { billing_details: billingOf({}, input.billing_details), metadata: mergeMetadata({}, input.metadata) });
  } catch (err) {
    throw stripeCardError(err, card);
  }
}

/** The tenant's `pm_…`, else Stripe's 404. */
export async function paymentMethodRow(db: Queryable, tenantId: string, id: string, lock = false): Promise<DbPaymentMethod> {
  const pm = isStripeId('pm', id) ? await findPaymentMethod(db, tenantId, id, lock) : undefined;
  if (!pm) throw noSuch('PaymentMethod', id, 'payment_method');
  return pm;
}

export async function updatePaymentMethod(t: Tx, raise: Raise, tenantId: string, id: string, input: PaymentMethodUpdate): Promise<DbPaymentMethod> {
  const pm = await paymentMethodRow(t, tenantId, id, true);
  // Stripe updates only saved payment methods: one used once is not kept for later.
  if (pm.customer_id === null) throw unexpectedState('payment_method_unexpected_state', 'You must attach this PaymentMethod to a customer before you can update it.');
  const exp_month = input.card?.exp_month ?? pm.exp_month;
  const exp_year = input.card?.exp_year ?? pm.exp_year;
  if (input.card) checkExpiry(exp_month, exp_year);
  const updated = await updatePaymentMethodRow(t, pm.id, {
    billing_details: billingOf(pm.billing_details, input.billing_details), metadata: mergeMetadata(pm.metadata, input.metadata), exp_month, exp_year,
  });
  raise('payment_method.updated', paymentMethodObject(updated), paymentMethodObject(pm));
  return updated;
}

/** Attaches a `pm_…` (or a test reference such as pm_card_visa, stored now) to a customer. */
export async function attachPaymentMethod(t: Tx, raise: Raise, tenantId: string, ref: string, customerId: string): Promise<DbPaymentMethod> {
  const customer = await requireCustomer(t, tenantId, customerId, 'customer', true);
  const pm = isStripeId('pm', ref) ? await paymentMethodRow(t, tenantId, ref, true) : await paymentMethodFor(t, tenantId, ref);
  return attachMethod(t, raise, pm, customer);
}

/** payment_method.detached (its object names no customer now), after customer.updated when it was the default. */
export async function detachPaymentMethod(t: Tx, raise: Raise, tenantId: string, id: string): Promise<DbPaymentMethod> {
  const pm = await paymentMethodRow(t, tenantId, id, true);
  if (pm.customer_id === null) throw unexpectedState('payment_method_unexpected_state', 'The PaymentMethod is not attached to a customer, so it cannot be detached.');
  // A customer's default payment method stops being its default when it leaves.
  const customer = await requireCustomer(t, tenantId, pm.customer_id, 'customer', true);
  if (customer.default_payment_method === pm.id) {
    const updated = await updateCustomerRow(t, customer.id, { default_payment_method: null });
    raise('customer.updated', customerObject(updated), customerObject(customer));
  }
  const detached = await setPaymentMethodCustomer(t, pm.id, null);
  raise('payment_method.detached', paymentMethodObject(detached));
  return detached;
}

/** A customer's payment methods, newest first; Sandpay's are all cards, so another `type` lists none. */
export async function listPaymentMethods(db: Queryable, tenantId: string, customerId: string, q: ListQuery & { type?: string | undefined }, param = 'customer') {
  const customer = await requireCustomer(db, tenantId, customerId, param);
  if (q.type !== undefined && q.type !== 'card') return { object: 'list' as const, data: [], has_more: false, next_cursor: null };
  return withCursors('PaymentMethod', q, ownId('pm'), () => pagePaymentMethods(db, tenantId, customer.id, q));
}

/** One of a customer's payment methods; one attached elsewhere (or nowhere) is Stripe's 404. */
export async function customerPaymentMethod(db: Queryable, tenantId: string, customerId: string, id: string): Promise<DbPaymentMethod> {
  const customer = await requireCustomer(db, tenantId, customerId);
  const pm = await paymentMethodRow(db, tenantId, id);
  if (pm.customer_id !== customer.id) throw noSuch('PaymentMethod', id, 'payment_method');
  return pm;
}

import { z } from 'zod';
import { expand, sInt, sMetadata } from './schemas.ts';

/**
 * The parameters of Customers and PaymentMethods as stripe-node sends them. Stripe's "emptyable"
 * fields take `""` to unset (the SDK sends `null` as `""` too), so those are `"" | value` here
 * and null in the row.
 */

const text = (max: number) => z.string().max(max);
const emptyable = <T extends z.ZodType>(s: T) => z.union([z.literal(''), s]);

/** An address as Stripe shows it: all six keys, null where not given. */
export const address = z
  .strictObject({ city: text(200).optional(), country: text(2).optional(), line1: text(200).optional(), line2: text(200).optional(), postal_code: text(20).optional(), state: text(200).optional() })
  .transform((a) => ({ city: a.city || null, country: a.country || null, line1: a.line1 || null, line2: a.line2 || null, postal_code: a.postal_code || null, state: a.state || null }));
export type Address = z.output<typeof address>;

const shipping = z.strictObject({ address, name: text(256), phone: text(20).optional() }).transform((s) => ({ address: s.address, name: s.name, phone: s.phone || null }));

/** `""` → null: the stored form of an emptyable field. */
const orNull = <T extends z.ZodType>(s: T) => emptyable(s).transform((v) => (v === '' ? null : (v as z.output<T>)));

const contact = {
  email: orNull(text(512)).optional(),
  name: orNull(text(256)).optional(),
  phone: orNull(text(20)).optional(),
  description: orNull(text(350)).optional(),
  address: orNull(address).optional(),
  shipping: orNull(shipping).optional(),
  metadata: sMetadata.optional(),
  expand,
};

const invoiceSettings = z.strictObject({ default_payment_method: orNull(text(200)).optional() });

export const customerCreate = z.strictObject({ ...contact, payment_method: text(200).optional(), invoice_settings: invoiceSettings.optional() });
export const customerUpdate = z.strictObject({ ...contact, invoice_settings: invoiceSettings.optional() });
export type CustomerCreate = z.output<typeof customerCreate>;
export type CustomerUpdate = z.output<typeof customerUpdate>;

/** A PaymentMethod's billing details: each field emptyable, the address replaced whole. */
export const billingDetails = z.strictObject({
  address: orNull(address).optional(),
  email: orNull(text(512)).optional(),
  name: orNull(text(256)).optional(),
  phone: orNull(text(20)).optional(),
});
export type BillingDetails = z.output<typeof billingDetails>;

/**
 * Expiry fields are taken loosely (any small integer) so an impossible month or a past year is
 * Stripe's 402 card error naming the field, not a 400; a two-digit year means 20xx, as Stripe reads it.
 */
const expMonth = sInt(0, 99);
const expYear = sInt(0, 9999).transform((y) => (y < 100 ? 2000 + y : y));

/**
 * `card[number|exp_month|exp_year|cvc]`, or `card[token]=tok_visa`: one object of optional fields
 * (a union would hide which field is wrong), checked for a whole card where it is stored.
 */
export const cardParams = z.strictObject({ token: text(200).optional(), number: text(30).optional(), exp_month: expMonth.optional(), exp_year: expYear.optional(), cvc: text(4).optional() });
export type CardParams = z.output<typeof cardParams>;

export const paymentMethodCreate = z.strictObject({
  type: z.literal('card', { error: 'Sandpay makes card payment methods only (type card)' }),
  card: cardParams,
  billing_details: billingDetails.optional(),
  metadata: sMetadata.optional(),
  expand,
});
export type PaymentMethodCreate = z.output<typeof paymentMethodCreate>;

export const paymentMethodUpdate = z.strictObject({
  billing_details: billingDetails.optional(),
  card: z.strictObject({ exp_month: expMonth.optional(), exp_year: expYear.optional() }).optional(),
  metadata: sMetadata.optional(),
  expand,
});
export type PaymentMethodUpdate = z.output<typeof paymentMethodUpdate>;

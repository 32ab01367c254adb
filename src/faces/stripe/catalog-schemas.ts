import { z } from 'zod';
import { MAX_AMOUNT } from '../../core/schemas.ts';
import { expand, listParams, sBool, sCurrency, sInt, sMetadata } from './schemas.ts';

/**
 * The parameters of Products and Prices as stripe-node sends them. Stripe's "emptyable" fields
 * take `""` to unset (the SDK sends `null` as `""` too): those become null (or []) here.
 */

const text = (max: number) => z.string().max(max);
const orNull = <T extends z.ZodType>(s: T) => z.union([z.literal(''), s]).transform((v) => (v === '' ? null : (v as z.output<T>)));

/**
 * `unit_amount_decimal`: a decimal string of the smallest unit (`"1250.5"` is 12.505 dollars),
 * at most 12 places, as Stripe takes it; kept in its shortest form (`"1500.00"` → `"1500"`), the
 * form the SDK's Decimal parses back.
 */
export const decimalAmount = z
  .union([z.string(), z.number().nonnegative().transform((n) => n.toFixed(12))])
  .pipe(z.string().regex(/^\d{1,11}(\.\d{1,12})?$/, 'must be a decimal string such as 1250.5 (at most 12 decimal places)'))
  .transform(shortestDecimal)
  .refine((d) => Number(d) <= MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);

export function shortestDecimal(d: string): string {
  const [whole, frac = ''] = d.split('.');
  const w = whole!.replace(/^0+(?=\d)/, '');
  const f = frac.replace(/0+$/, '');
  return f ? `${w}.${f}` : w;
}

/** Stripe allows recurring intervals up to three years. */
const MAX_COUNT: Record<string, number> = { day: 1095, week: 156, month: 36, year: 3 };

export const recurring = z
  .strictObject({
    interval: z.enum(['day', 'week', 'month', 'year']),
    interval_count: sInt(1, 1095).optional(),
    usage_type: z.enum(['licensed', 'metered']).optional(),
    trial_period_days: sInt(0, 730).optional(),
    meter: text(200).optional(),
  })
  .refine((r) => (r.interval_count ?? 1) <= MAX_COUNT[r.interval]!, { message: 'must be at most three years (3 years, 36 months, 156 weeks or 1095 days)', path: ['interval_count'] })
  .transform((r) => ({ interval: r.interval, interval_count: r.interval_count ?? 1, usage_type: r.usage_type ?? 'licensed', trial_period_days: r.trial_period_days ?? null, meter: r.meter ?? null }));

const taxBehavior = z.enum(['inclusive', 'exclusive', 'unspecified']);

/** What a price is of: its amount, currency and recurrence (a product's default_price_data is this too). */
const amountFields = {
  currency: sCurrency,
  unit_amount: sInt(0).optional(),
  unit_amount_decimal: decimalAmount.optional(),
  recurring: recurring.optional(),
  tax_behavior: taxBehavior.optional(),
};

/** Stripe's product ids may be chosen by the caller: letters, digits, `_` and `-`. */
const productId = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be 1–200 letters, digits, _ or -');

const productData = z.strictObject({
  name: text(1000).min(1),
  id: productId.optional(),
  active: sBool.optional(),
  metadata: sMetadata.optional(),
  statement_descriptor: text(22).optional(),
  tax_code: text(200).optional(),
  unit_label: text(12).optional(),
});

export const priceCreate = z.strictObject({
  ...amountFields,
  product: text(200).optional(),
  product_data: productData.optional(),
  active: sBool.optional(),
  billing_scheme: z.literal('per_unit', { error: 'Sandpay prices are per_unit (tiered prices are not modelled)' }).optional(),
  lookup_key: text(200).optional(),
  transfer_lookup_key: sBool.optional(),
  nickname: text(250).optional(),
  metadata: sMetadata.optional(),
  expand,
});
export type PriceCreate = z.output<typeof priceCreate>;

export const priceUpdate = z.strictObject({
  active: sBool.optional(),
  lookup_key: orNull(text(200)).optional(),
  transfer_lookup_key: sBool.optional(),
  nickname: orNull(text(250)).optional(),
  metadata: sMetadata.optional(),
  tax_behavior: taxBehavior.optional(),
  expand,
});
export type PriceUpdate = z.output<typeof priceUpdate>;

export const priceList = z.strictObject({
  ...listParams,
  product: text(200).optional(),
  active: sBool.optional(),
  currency: sCurrency.optional(),
  type: z.enum(['one_time', 'recurring']).optional(),
  lookup_keys: z.array(text(200)).max(10).optional(),
  recurring: z.strictObject({ interval: z.enum(['day', 'week', 'month', 'year']).optional(), usage_type: z.enum(['licensed', 'metered']).optional() }).optional(),
});

const decimalNumber = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a number').transform(Number)]).pipe(z.number().nonnegative());
const packageDimensions = z.strictObject({ height: decimalNumber, length: decimalNumber, weight: decimalNumber, width: decimalNumber });
const marketingFeatures = z.array(z.strictObject({ name: text(80).min(1) })).max(15);
const images = z.array(z.url().max(2048)).max(8);

/** The fields a product's create and update share (emptyable ones unset with ""). */
const productFields = {
  active: sBool.optional(),
  description: orNull(text(40_000)).optional(),
  metadata: sMetadata.optional(),
  shippable: sBool.optional(),
  statement_descriptor: text(22).optional(),
  tax_code: orNull(text(200)).optional(),
  unit_label: orNull(text(12)).optional(),
  url: orNull(z.url().max(2048)).optional(),
  package_dimensions: orNull(packageDimensions).optional(),
  expand,
};

export const productCreate = z.strictObject({
  ...productFields,
  name: text(1000).min(1),
  id: productId.optional(),
  type: z.enum(['good', 'service']).optional(),
  images: images.optional(),
  marketing_features: marketingFeatures.optional(),
  default_price_data: z.strictObject({ ...amountFields, metadata: sMetadata.optional() }).optional(),
});
export type ProductCreate = z.output<typeof productCreate>;

export const productUpdate = z.strictObject({
  ...productFields,
  name: text(1000).min(1).optional(),
  images: z.union([z.literal('').transform(() => []), images]).optional(),
  marketing_features: z.union([z.literal('').transform(() => []), marketingFeatures]).optional(),
  default_price: orNull(text(200)).optional(),
});
export type ProductUpdate = z.output<typeof productUpdate>;

export const productList = z.strictObject({
  ...listParams,
  active: sBool.optional(),
  ids: z.array(text(200)).max(100).optional(),
  shippable: sBool.optional(),
  url: text(2048).optional(),
  type: z.enum(['good', 'service']).optional(),
});

/** A price's amount and recurrence, as both price creates take them. */
export type PriceAmount = Pick<PriceCreate, 'currency' | 'unit_amount' | 'unit_amount_decimal' | 'recurring' | 'tax_behavior'>;

import { z } from 'zod';
import { decimalAmount } from './catalog-schemas.ts';
import { expand, httpUrlOf, listParams, sBool, sCurrency, sInt, sMetadata } from './schemas.ts';

/**
 * Checkout Sessions' parameters as stripe-node sends them (mode `payment`, cards). What Sandpay
 * does not model is refused by name (a strict object), so an integration learns it at once
 * rather than meeting a page that ignores it.
 */

const text = (max: number) => z.string().max(max);

/** The redirect URLs: http(s), as Stripe requires; `{CHECKOUT_SESSION_ID}` is kept as it is. */
const redirectUrl = httpUrlOf(5000, 'must be an http(s) URL such as https://example.com/success?session_id={CHECKOUT_SESSION_ID}');

const priceData = z.strictObject({
  currency: sCurrency,
  unit_amount: sInt(0).optional(),
  unit_amount_decimal: decimalAmount.optional(),
  product: text(200).optional(),
  product_data: z.strictObject({
    name: text(1000).min(1),
    description: text(40000).optional(),
    images: z.array(text(2048)).max(8).optional(),
    metadata: sMetadata.optional(),
    tax_code: text(200).optional(),
  }).optional(),
  tax_behavior: z.enum(['inclusive', 'exclusive', 'unspecified']).optional(),
});

const lineItem = z.strictObject({
  price: text(200).optional(),
  price_data: priceData.optional(),
  quantity: sInt(1, 999_999).optional(),
  adjustable_quantity: z.strictObject({ enabled: sBool }).refine((a) => !a.enabled, 'is not supported by Sandpay (enabled must be false)').optional(),
});
export type LineItemInput = z.output<typeof lineItem>;

export const sessionCreate = z.strictObject({
  mode: text(50).optional(),
  line_items: z.array(lineItem).max(100).optional(),
  success_url: redirectUrl.optional(),
  cancel_url: redirectUrl.optional(),
  client_reference_id: text(200).optional(),
  customer: text(200).optional(),
  customer_email: z.email().max(512).optional(),
  customer_creation: z.enum(['always', 'if_required']).optional(),
  metadata: sMetadata.optional(),
  expires_at: sInt(0, 2 ** 40).optional(),
  payment_intent_data: z.strictObject({
    capture_method: z.enum(['automatic', 'automatic_async', 'manual']).optional(),
    metadata: sMetadata.optional(),
    description: text(1000).optional(),
    receipt_email: z.email().max(512).optional(),
    statement_descriptor: text(22).optional(),
    statement_descriptor_suffix: text(22).optional(),
    setup_future_usage: z.enum(['on_session', 'off_session']).optional(),
  }).optional(),
  payment_method_types: z.array(z.literal('card', { error: 'Sandpay takes cards (card) only' })).min(1).optional(),
  ui_mode: z.enum(['hosted', 'hosted_page'], { error: "Sandpay serves hosted Checkout only (ui_mode: 'hosted_page')" }).optional(),
  locale: text(10).optional(),
  submit_type: z.enum(['auto', 'book', 'donate', 'pay', 'subscribe']).optional(),
  billing_address_collection: z.enum(['auto', 'required']).optional(),
  allow_promotion_codes: sBool.optional(),
  expand,
});
export type SessionCreate = z.output<typeof sessionCreate>;

export const sessionRetrieve = z.strictObject({ expand });

export const sessionList = z.strictObject({
  ...listParams,
  customer: text(200).optional(),
  payment_intent: text(200).optional(),
});

export const lineItemList = z.strictObject({
  limit: listParams.limit,
  starting_after: listParams.starting_after,
  ending_before: listParams.ending_before,
  expand,
});

export const sessionExpire = z.strictObject({ expand });

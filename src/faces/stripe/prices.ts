import { badRequest } from '../../core/errors.ts';
import type { Tx } from '../../db/pool.ts';
import type { Ctx } from '../../services.ts';
import { priceObject, priceRow, productObject, productRow } from './catalog.ts';
import type { PriceAmount, PriceCreate, PriceUpdate } from './catalog-schemas.ts';
import { unexpectedState } from './errors.ts';
import { newStripeId } from './ids.ts';
import type { Raise } from './object-events.ts';
import { mergeMetadata } from './schemas.ts';
import { insertPrice, insertProduct, priceByLookupKey, updatePriceRow, type DbPrice, type PriceFields } from './store.ts';

/**
 * Prices: an amount (a decimal of the currency's smallest unit, whole in `unit_amount` when it
 * is), a currency and, for subscriptions, a recurrence, of one product. Checkout charges
 * `unit_amount × quantity`; Sandpay keeps recurring prices for code that creates and lists them,
 * but bills no subscriptions.
 */

/** One of unit_amount and unit_amount_decimal, as the decimal Stripe keeps and the whole number when it is one. */
function amountOf(input: PriceAmount): { unit_amount: string | null; unit_amount_decimal: string } {
  if (input.unit_amount !== undefined && input.unit_amount_decimal !== undefined) {
    throw badRequest('parameter_invalid', 'You may only specify one of these parameters: unit_amount, unit_amount_decimal.', 'unit_amount_decimal');
  }
  if (input.unit_amount !== undefined) return { unit_amount: String(input.unit_amount), unit_amount_decimal: String(input.unit_amount) };
  if (input.unit_amount_decimal === undefined) throw badRequest('parameter_missing', 'Missing required parameter: unit_amount (or unit_amount_decimal).', 'unit_amount');
  const d = input.unit_amount_decimal;
  return { unit_amount: d.includes('.') ? null : d, unit_amount_decimal: d };
}

/** Claims a lookup key for a price: a key another price holds moves only with transfer_lookup_key. */
async function claimLookupKey(t: Tx, tenantId: string, key: string, transfer: boolean | undefined, self?: string): Promise<void> {
  const holder = await priceByLookupKey(t, tenantId, key);
  if (!holder || holder.id === self) return;
  if (!transfer) {
    throw badRequest('resource_already_exists', `A price (${holder.id}) already uses the lookup key '${key}'. Pass transfer_lookup_key=true to move it to this price.`, 'lookup_key');
  }
  await updatePriceRow(t, holder.id, { lookup_key: null });
}

/** Checkout's price_data.product_data also gives the product a description and images (prices.create's does not). */
type CheckoutProductData = NonNullable<PriceCreate['product_data']> & { description?: string | undefined; images?: string[] | undefined };

/**
 * A new price of the tenant's product (or of a product made from `product_data`). Exported for
 * Checkout, whose `price_data` line items make prices too. product.created for product_data, then price.created.
 */
export async function createPrice(t: Tx, ctx: Ctx, raise: Raise, input: PriceCreate & { product_data?: CheckoutProductData | undefined }): Promise<DbPrice> {
  const tenantId = ctx.tenant.id;
  if (input.product !== undefined && input.product_data !== undefined) {
    throw badRequest('parameter_invalid', 'You may only specify one of these parameters: product, product_data.', 'product_data');
  }
  let product: string;
  if (input.product_data !== undefined) {
    const d = input.product_data;
    const made = await insertProduct(t, {
      id: d.id ?? newStripeId('prod'), tenant_id: tenantId, name: d.name, active: d.active ?? true, description: d.description ?? null, images: d.images ?? [], default_price: null, url: null,
      metadata: mergeMetadata({}, d.metadata), type: 'service', shippable: null, statement_descriptor: d.statement_descriptor ?? null, unit_label: d.unit_label ?? null,
      tax_code: d.tax_code ?? null, marketing_features: [], package_dimensions: null,
    });
    if (!made) throw badRequest('resource_already_exists', `Product already exists: '${d.id}'.`, 'product_data[id]');
    raise('product.created', productObject(made));
    product = made.id;
  } else if (input.product !== undefined) {
    // Locked (as a delete locks it) so a product is never deleted under a price being added to it.
    product = (await productRow(t, tenantId, input.product, { param: 'product', lock: true })).id;
  } else {
    throw badRequest('parameter_missing', 'Missing required parameter: product (or product_data).', 'product');
  }
  const price = await insertPriceOf(t, tenantId, product, input);
  raise('price.created', priceObject(price));
  return price;
}

/** A price of a product known to be the tenant's (a product's default_price_data too). */
export async function insertPriceOf(t: Tx, tenantId: string, product: string, input: PriceAmount & Partial<Pick<PriceCreate, 'active' | 'lookup_key' | 'transfer_lookup_key' | 'nickname' | 'metadata'>>): Promise<DbPrice> {
  const amount = amountOf(input);
  if (input.lookup_key !== undefined) await claimLookupKey(t, tenantId, input.lookup_key, input.transfer_lookup_key);
  return insertPrice(t, {
    id: newStripeId('price'), tenant_id: tenantId, product, currency: input.currency, ...amount, active: input.active ?? true,
    type: input.recurring ? 'recurring' : 'one_time', recurring: input.recurring ?? null, lookup_key: input.lookup_key ?? null,
    nickname: input.nickname ?? null, metadata: mergeMetadata({}, input.metadata), tax_behavior: input.tax_behavior ?? 'unspecified',
  });
}

/** Stripe lets a price change its state and labels, never its amount, currency or recurrence. */
export async function updatePrice(t: Tx, ctx: Ctx, raise: Raise, id: string, input: PriceUpdate): Promise<DbPrice> {
  const price = await priceRow(t, ctx.tenant.id, id, { lock: true });
  if (input.tax_behavior !== undefined && price.tax_behavior !== 'unspecified' && input.tax_behavior !== price.tax_behavior) {
    throw unexpectedState('price_tax_behavior_set', `The tax_behavior of this price is already ${price.tax_behavior}; it can be set only while it is unspecified.`, 'tax_behavior');
  }
  if (typeof input.lookup_key === 'string') await claimLookupKey(t, ctx.tenant.id, input.lookup_key, input.transfer_lookup_key, price.id);
  const fields: Partial<PriceFields> = {
    active: input.active, lookup_key: input.lookup_key, nickname: input.nickname, tax_behavior: input.tax_behavior,
    metadata: input.metadata === undefined ? undefined : mergeMetadata(price.metadata, input.metadata),
  };
  const updated = await updatePriceRow(t, price.id, fields);
  raise('price.updated', priceObject(updated), priceObject(price));
  return updated;
}

import type { Queryable } from '../../db/pool.ts';
import { shortestDecimal } from './catalog-schemas.ts';
import { noSuch } from './errors.ts';
import { unix } from './schemas.ts';
import { findPrice, findProduct, type DbPrice, type DbProduct } from './store.ts';

/**
 * Stripe's Products and Prices: objects only Stripe's API has (no native twin), kept in the face's
 * own tables; Checkout's line items name them. Their rows → Stripe's objects, and their lookups.
 */

type Json = Record<string, unknown>;

export function productObject(p: DbProduct): Json {
  return {
    id: p.id,
    object: 'product',
    active: p.active,
    created: unix(p.created_at),
    default_price: p.default_price,
    description: p.description,
    images: p.images,
    livemode: false,
    marketing_features: p.marketing_features,
    metadata: p.metadata,
    name: p.name,
    package_dimensions: p.package_dimensions,
    shippable: p.shippable,
    statement_descriptor: p.statement_descriptor,
    tax_code: p.tax_code,
    tax_details: null,
    type: p.type,
    unit_label: p.unit_label,
    updated: unix(p.updated_at),
    url: p.url,
  };
}

export function priceObject(p: DbPrice): Json {
  return {
    id: p.id,
    object: 'price',
    active: p.active,
    billing_scheme: 'per_unit',
    created: unix(p.created_at),
    currency: p.currency.toLowerCase(),
    custom_unit_amount: null,
    livemode: false,
    lookup_key: p.lookup_key,
    metadata: p.metadata,
    nickname: p.nickname,
    product: p.product,
    recurring: p.recurring,
    tax_behavior: p.tax_behavior,
    tiers_mode: null,
    transform_quantity: null,
    type: p.type,
    unit_amount: p.unit_amount === null ? null : Number(p.unit_amount),
    // A string, never a number: stripe-node parses it into its Decimal.
    unit_amount_decimal: shortestDecimal(p.unit_amount_decimal),
  };
}

/** The tenant's product, or Stripe's 404 (another tenant's, or a deleted one, included). */
export async function productRow(db: Queryable, tenantId: string, id: string, opts: { lock?: boolean; param?: string } = {}): Promise<DbProduct> {
  const p = await findProduct(db, tenantId, id, opts.lock);
  if (!p) throw noSuch('product', id, opts.param ?? 'id');
  return p;
}

export async function priceRow(db: Queryable, tenantId: string, id: string, opts: { lock?: boolean; param?: string } = {}): Promise<DbPrice> {
  const p = id.startsWith('price_') ? await findPrice(db, tenantId, id, opts.lock) : undefined;
  if (!p) throw noSuch('price', id, opts.param ?? 'price');
  return p;
}

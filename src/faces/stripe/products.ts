import { badRequest } from '../../core/errors.ts';
import type { Tx } from '../../db/pool.ts';
import type { Ctx } from '../../services.ts';
import { priceObject, priceRow, productObject, productRow } from './catalog.ts';
import type { ProductCreate, ProductUpdate } from './catalog-schemas.ts';
import { newStripeId } from './ids.ts';
import type { Raise } from './object-events.ts';
import { insertPriceOf } from './prices.ts';
import { mergeMetadata } from './schemas.ts';
import { deleteProductRow, insertProduct, productHasPrices, updateProductRow, type DbProduct, type ProductFields } from './store.ts';

/** Products: what a price is of. Their id may be the caller's, unique within the tenant. */

/** product.created (with its default price), then price.created for default_price_data. */
export async function createProduct(t: Tx, ctx: Ctx, raise: Raise, input: ProductCreate): Promise<DbProduct> {
  const tenantId = ctx.tenant.id;
  const product = await insertProduct(t, {
    id: input.id ?? newStripeId('prod'), tenant_id: tenantId, name: input.name, active: input.active ?? true, description: input.description ?? null,
    images: input.images ?? [], default_price: null, url: input.url ?? null, metadata: mergeMetadata({}, input.metadata), type: input.type ?? 'service',
    shippable: input.shippable ?? null, statement_descriptor: input.statement_descriptor ?? null, unit_label: input.unit_label ?? null,
    tax_code: input.tax_code ?? null, marketing_features: input.marketing_features ?? [], package_dimensions: input.package_dimensions ?? null,
  });
  if (!product) throw badRequest('resource_already_exists', `Product already exists: '${input.id}'.`, 'id');
  if (input.default_price_data === undefined) {
    raise('product.created', productObject(product));
    return product;
  }
  const price = await insertPriceOf(t, tenantId, product.id, input.default_price_data);
  const withPrice = await updateProductRow(t, tenantId, product.id, { default_price: price.id });
  raise('product.created', productObject(withPrice));
  raise('price.created', priceObject(price));
  return withPrice;
}

export async function updateProduct(t: Tx, ctx: Ctx, raise: Raise, id: string, input: ProductUpdate): Promise<DbProduct> {
  const product = await productRow(t, ctx.tenant.id, id, { lock: true });
  if (typeof input.default_price === 'string') {
    const price = await priceRow(t, ctx.tenant.id, input.default_price, { param: 'default_price' });
    if (price.product !== product.id) throw badRequest('parameter_invalid', `The price ${price.id} is not a price of product ${product.id}.`, 'default_price');
    if (!price.active) throw badRequest('parameter_invalid', `The price ${price.id} is archived (active=false); a product's default price must be active.`, 'default_price');
  }
  const fields: Partial<ProductFields> = {
    name: input.name, active: input.active, description: input.description, images: input.images, marketing_features: input.marketing_features,
    shippable: input.shippable, statement_descriptor: input.statement_descriptor, tax_code: input.tax_code, unit_label: input.unit_label, url: input.url,
    package_dimensions: input.package_dimensions, default_price: input.default_price,
    metadata: input.metadata === undefined ? undefined : mergeMetadata(product.metadata, input.metadata),
  };
  const updated = await updateProductRow(t, ctx.tenant.id, product.id, fields);
  raise('product.updated', productObject(updated), productObject(product));
  return updated;
}

/** Stripe deletes only a product without prices (archive one with prices: active=false). */
export async function deleteProduct(t: Tx, ctx: Ctx, raise: Raise, id: string): Promise<{ id: string; object: 'product'; deleted: true }> {
  const product = await productRow(t, ctx.tenant.id, id, { lock: true });
  if (await productHasPrices(t, ctx.tenant.id, product.id)) {
    throw badRequest('product_has_prices', 'This product cannot be deleted because it has one or more prices; archive it instead (active=false).');
  }
  await deleteProductRow(t, ctx.tenant.id, product.id);
  // Stripe's product.deleted carries the product as it was, not the stub the call answers.
  raise('product.deleted', productObject(product));
  return { id: product.id, object: 'product', deleted: true };
}

import { z } from 'zod';
import type { Queryable } from '../../../db/pool.ts';
import { route } from '../../../routing/route.ts';
import { priceObject, priceRow, productObject, productRow } from '../catalog.ts';
import { priceCreate, priceList, priceUpdate, productCreate, productList, productUpdate } from '../catalog-schemas.ts';
import { expandAll } from '../expand.ts';
import { EXPANDERS } from '../expanders.ts';
import { raiser } from '../object-events.ts';
import { createPrice, updatePrice } from '../prices.ts';
import { createProduct, deleteProduct, updateProduct } from '../products.ts';
import { expand, listOf } from '../schemas.ts';
import { pagePrices, pageProducts, productsByIds } from '../store.ts';
import { ownId, withCursors } from '../cursors.ts';
import { base, createdRange, idParams, listUrl, read, write } from './common.ts';

type Json = Record<string, unknown>;

const product = z.looseObject({ id: z.string(), object: z.literal('product'), name: z.string() }).meta({ id: 'StripeProduct' });
const deletedProduct = z.strictObject({ id: z.string(), object: z.literal('product'), deleted: z.literal(true) }).meta({ id: 'StripeDeletedProduct' });
const price = z.looseObject({ id: z.string(), object: z.literal('price'), unit_amount_decimal: z.string().nullable() }).meta({ id: 'StripePrice' });
const retrieveQuery = z.strictObject({ expand });

/**
 * A caller-chosen product id need not start with `prod_`, and expand[] finds an id's object by
 * its prefix: so a price's `product` (`data.product` on a list) is expanded here, by one query,
 * and expandAll goes on from there (`product.default_price`).
 */
async function expandPrices(db: Queryable, tenantId: string, baseUrl: string, root: Json, paths: readonly string[] | undefined): Promise<Json> {
  const onList = root.object === 'list';
  if ((paths ?? []).some((p) => (onList ? /^data\.product(\.|$)/ : /^product(\.|$)/).test(p))) {
    const prices = (onList ? root.data : [root]) as Json[];
    const ids = [...new Set(prices.flatMap((p) => (typeof p.product === 'string' ? [p.product] : [])))];
    const byId = new Map((await productsByIds(db, tenantId, ids)).map((p) => [p.id, productObject(p)] as const));
    for (const p of prices) if (typeof p.product === 'string' && byId.has(p.product)) p.product = byId.get(p.product);
  }
  return expandAll(db, tenantId, baseUrl, root, paths, EXPANDERS);
}

/** A list's page, its cursors checked as Stripe's (`rowId`: a cursor's shape; a product's id may be chosen, so any). */
const paged = <T>(what: string, q: { limit?: number | undefined; starting_after?: string | undefined; ending_before?: string | undefined }, rowId: (id: string) => string | null,
  run: (page: { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined }) => Promise<T>) =>
  withCursors(what, { startingAfter: q.starting_after, endingBefore: q.ending_before }, rowId, (cursors) => run({ limit: q.limit ?? 10, ...cursors }));

const productRoutes = [
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/products', summary: 'Create a product (Stripe); its id may be chosen', body: productCreate, response: product,
    example: { name: 'T-shirt', default_price_data: { currency: 'usd', unit_amount: 2000 } },
    handler: async ({ svc, t, ctx, body, baseUrl }) => expandAll(t, ctx.tenant.id, baseUrl, productObject(await createProduct(t, ctx, raiser(t, svc, ctx), body)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/products', summary: 'List products (Stripe)', query: productList, response: listOf(product),
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      const rows = await paged('product', q, (id) => id, (page) =>
        pageProducts(db, ctx.tenant.id, { active: q.active, ids: q.ids, shippable: q.shippable, url: q.url, type: q.type, ...createdRange(q.created) }, page));
      return expandAll(db, ctx.tenant.id, baseUrl, { object: 'list', data: rows.data.map(productObject), has_more: rows.has_more, url: listUrl('products') }, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/products/:id', summary: 'Retrieve a product (Stripe)', params: idParams, query: retrieveQuery, response: product,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) => expandAll(db, ctx.tenant.id, baseUrl, productObject(await productRow(db, ctx.tenant.id, p.id)), q.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/products/:id', summary: 'Update a product (Stripe)', params: idParams, body: productUpdate, response: product,
    example: { active: false },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) => expandAll(t, ctx.tenant.id, baseUrl, productObject(await updateProduct(t, ctx, raiser(t, svc, ctx), p.id, body)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('payments'), method: 'delete', path: '/v1/products/:id', summary: 'Delete a product without prices (Stripe)', params: idParams, response: deletedProduct,
    handler: ({ svc, t, ctx, params: p }) => deleteProduct(t, ctx, raiser(t, svc, ctx), p.id),
  }),
];

const priceRoutes = [
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/prices', summary: 'Create a price (Stripe): of a product, or of product_data', body: priceCreate, response: price, errors: [404],
    example: { currency: 'usd', unit_amount: 2000, product_data: { name: 'T-shirt' } },
    handler: async ({ svc, t, ctx, body, baseUrl }) => expandPrices(t, ctx.tenant.id, baseUrl, priceObject(await createPrice(t, ctx, raiser(t, svc, ctx), body)), body.expand),
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/prices', summary: 'List prices (Stripe)', query: priceList, response: listOf(price),
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      const rows = await paged('price', q, ownId('price'), (page) => pagePrices(db, ctx.tenant.id, {
        product: q.product, active: q.active, currency: q.currency, type: q.type, lookupKeys: q.lookup_keys,
        interval: q.recurring?.interval, usageType: q.recurring?.usage_type, ...createdRange(q.created),
      }, page));
      return expandPrices(db, ctx.tenant.id, baseUrl, { object: 'list', data: rows.data.map(priceObject), has_more: rows.has_more, url: listUrl('prices') }, q.expand);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/prices/:id', summary: 'Retrieve a price (Stripe)', params: idParams, query: retrieveQuery, response: price,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) => expandPrices(db, ctx.tenant.id, baseUrl, priceObject(await priceRow(db, ctx.tenant.id, p.id)), q.expand),
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/prices/:id', summary: 'Update a price (Stripe): active, labels, metadata', params: idParams, body: priceUpdate, response: price,
    example: { active: false },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) => expandPrices(t, ctx.tenant.id, baseUrl, priceObject(await updatePrice(t, ctx, raiser(t, svc, ctx), p.id, body)), body.expand),
  }),
];

/** Stripe's catalog: what Checkout's line items name. */
export const catalogRoutes = [...productRoutes, ...priceRoutes];

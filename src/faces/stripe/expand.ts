import type { Queryable } from '../../db/pool.ts';
import { badRequest } from '../../core/errors.ts';

type Json = Record<string, unknown>;

/** Fetches an object of this face by its id for `expand[]`; undefined when the tenant has none. */
export type Expander = (db: Queryable, tenantId: string, id: string, baseUrl: string) => Promise<Json | undefined>;

/**
 * The fields Stripe's objects expand (an id of another object, or null). Only these: any other
 * field, however much its value looks like an id (a description, a metadata value), is not.
 */
const EXPANDABLE = new Set([
  'latest_charge', 'payment_intent', 'payment_method', 'customer', 'charge', 'default_payment_method', 'default_price', 'product', 'price', 'balance_transaction', 'invoice_settings',
]);

/**
 * `expand[]=latest_charge`, `expand[]=data.customer`, `expand[]=latest_charge.balance_transaction`:
 * each id on the path is replaced by its object, fetched by its prefix. A field that is null stays
 * null (Stripe's objects have no balance transactions here); a field that is not expandable, or
 * holds no id of an object this face has, is Stripe's 400.
 */
export async function expandAll(db: Queryable, tenantId: string, baseUrl: string, root: Json, paths: readonly string[] | undefined, expanders: ReadonlyMap<string, Expander>): Promise<Json> {
  for (const path of paths ?? []) await expandPath(db, tenantId, baseUrl, root, path.split('.'), path, expanders);
  return root;
}

async function expandPath(db: Queryable, tenantId: string, baseUrl: string, obj: Json, parts: string[], path: string, expanders: ReadonlyMap<string, Expander>): Promise<void> {
  const [head, ...rest] = parts;
  if (head === 'data' && Array.isArray(obj.data) && obj.object === 'list') {
    for (const item of obj.data as Json[]) await expandPath(db, tenantId, baseUrl, item, rest, path, expanders);
    return;
  }
  if (head === undefined || !EXPANDABLE.has(head) || !Object.hasOwn(obj, head)) throw badRequest('parameter_invalid', `This property cannot be expanded (${path}).`, 'expand');
  let value = obj[head];
  if (typeof value === 'string') {
    const prefix = value.slice(0, value.indexOf('_'));
    const expander = expanders.get(prefix);
    if (!expander) throw badRequest('parameter_invalid', `This property cannot be expanded (${path}).`, 'expand');
    value = (await expander(db, tenantId, value, baseUrl)) ?? value;
    obj[head] = value;
  }
  if (rest.length > 0 && value !== null && typeof value === 'object') await expandPath(db, tenantId, baseUrl, value as Json, rest, path, expanders);
}

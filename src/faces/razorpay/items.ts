import { z } from 'zod';
import { currencySchema } from '../../core/schemas.ts';
import { newId } from '../../ids.ts';
import { byId, route } from '../../routing/route.ts';
import { razorpayHttpFace } from './http-face.ts';
import { flag, ownListQuery, paiseInput, unix } from './own-objects.ts';
import { collectionOf } from './schemas.ts';
import { deleteObject, getObject, insertObject, listObjects, updateObject, type DbObject } from './store.ts';

/** Razorpay's items: a product's name and price, which an invoice's line items take by item_id. */

export interface ItemData {
  name: string;
  description: string | null;
  amount: number;
  currency: string;
  active: boolean;
  hsn_code: string | null;
  sac_code: string | null;
  tax_rate: number | null;
  tax_inclusive: boolean;
  unit: string | null;
}
export type DbItem = DbObject<ItemData>;

export const rzpItemObject = z
  .strictObject({
    id: z.string(), active: z.boolean(), name: z.string(), description: z.string().nullable(), amount: z.number().int(), unit_amount: z.number().int(),
    currency: z.string(), type: z.literal('invoice'), unit: z.string().nullable(), tax_inclusive: z.boolean(), hsn_code: z.string().nullable(),
    sac_code: z.string().nullable(), tax_rate: z.number().nullable(), tax_id: z.null(), tax_group_id: z.null(), created_at: z.number().int(), updated_at: z.number().int(),
  })
  .meta({ id: 'RazorpayItem' });

export const rzpItem = (i: DbItem): z.output<typeof rzpItemObject> => ({
  id: i.id, active: i.data.active, name: i.data.name, description: i.data.description, amount: i.data.amount, unit_amount: i.data.amount, currency: i.data.currency,
  type: 'invoice', unit: i.data.unit, tax_inclusive: i.data.tax_inclusive, hsn_code: i.data.hsn_code, sac_code: i.data.sac_code, tax_rate: i.data.tax_rate,
  tax_id: null, tax_group_id: null, created_at: unix(i.created_at), updated_at: unix(i.updated_at),
});

const fields = {
  name: z.string().trim().min(1, 'The name field is required.').max(250),
  description: z.string().max(2048),
  amount: paiseInput(),
  currency: currencySchema,
  hsn_code: z.string().regex(/^\d{2,8}$/, 'The hsn code format is invalid.'),
  sac_code: z.string().regex(/^\d{2,8}$/, 'The sac code format is invalid.'),
  tax_rate: z.number().int().min(0).max(2800),
  tax_inclusive: z.boolean(),
  unit: z.string().max(64),
};
const createItemBody = z.strictObject({
  name: fields.name, amount: fields.amount, currency: fields.currency, description: fields.description.optional(), hsn_code: fields.hsn_code.optional(),
  sac_code: fields.sac_code.optional(), tax_rate: fields.tax_rate.optional(), tax_inclusive: fields.tax_inclusive.optional(), unit: fields.unit.optional(),
});
const editItemBody = z.strictObject({
  name: fields.name.optional(), amount: fields.amount.optional(), currency: fields.currency.optional(), description: fields.description.optional(),
  hsn_code: fields.hsn_code.optional(), sac_code: fields.sac_code.optional(), tax_rate: fields.tax_rate.optional(), tax_inclusive: fields.tax_inclusive.optional(),
  unit: fields.unit.optional(), active: z.boolean().optional(),
});

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const item = byId('rzpItem', 'item');

export const itemRoutes = [
  route({
    ...base, method: 'post', path: '/v1/items', write: true, summary: 'Create an item (Razorpay)', body: createItemBody, response: rzpItemObject,
    example: { name: 'Book / English August', description: 'An indian story', amount: 20000, currency: 'INR' },
    handler: async ({ t, ctx, body }) => {
      const data: ItemData = {
        name: body.name, description: body.description ?? null, amount: body.amount, currency: body.currency, active: true, hsn_code: body.hsn_code ?? null,
        sac_code: body.sac_code ?? null, tax_rate: body.tax_rate ?? null, tax_inclusive: body.tax_inclusive ?? false, unit: body.unit ?? null,
      };
      return rzpItem(await insertObject<ItemData>(t, { id: newId('rzpItem'), tenantId: ctx.tenant.id, kind: 'item', data: { ...data } }));
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/items', summary: 'All items (Razorpay)', query: ownListQuery({ active: flag.optional() }), response: collectionOf(rzpItemObject),
    handler: async ({ db, ctx, query: q }) => {
      const items = await listObjects<ItemData, ReturnType<typeof rzpItem>>(db, ctx.tenant.id, 'item', q, rzpItem, { active: q.active });
      return { entity: 'collection' as const, count: items.length, items };
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/items/:id', summary: 'Fetch an item (Razorpay)', params: item, response: rzpItemObject,
    handler: async ({ db, ctx, params: p }) => rzpItem(await getObject<ItemData>(db, ctx.tenant.id, 'item', p.id, { what: 'item' })),
  }),
  route({
    ...base, method: 'patch', path: '/v1/items/:id', write: true, summary: 'Edit an item (Razorpay)', params: item, body: editItemBody, response: rzpItemObject,
    example: { name: 'Book / Ignited Minds', amount: 30000 },
    handler: async ({ t, ctx, params: p, body }) => {
      const i = await getObject<ItemData>(t, ctx.tenant.id, 'item', p.id, { what: 'item', lock: true });
      const defined = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      return rzpItem(await updateObject<ItemData>(t, i.id, { data: { ...i.data, ...defined } }));
    },
  }),
  route({
    ...base, method: 'delete', path: '/v1/items/:id', write: true, summary: 'Delete an item (Razorpay: answers [])', params: item, response: z.array(z.never()).max(0),
    handler: async ({ t, ctx, params: p }) => {
      const i = await getObject<ItemData>(t, ctx.tenant.id, 'item', p.id, { what: 'item', lock: true });
      await deleteObject(t, i.id);
      return [];
    },
  }),
];

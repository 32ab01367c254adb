import { z } from 'zod';
import { badRequest } from '../../core/errors.ts';
import type { Tx } from '../../db/pool.ts';
import { newId } from '../../ids.ts';
import { byId, route } from '../../routing/route.ts';
import type { Ctx } from '../../services.ts';
import { razorpayHttpFace } from './http-face.ts';
import { flag, notesField, notesOut, ownListQuery, unix } from './own-objects.ts';
import { collectionOf, notesObject } from './schemas.ts';
import { findCustomer, getObject, insertObject, listObjects, updateObject, type DbObject } from './store.ts';

/** Razorpay's customers: who a token, a payment link, an invoice or a QR code is for. */

interface CustomerData {
  name: string;
  email: string | null;
  contact: string | null;
  gstin: string | null;
  notes: Record<string, unknown>;
}
export type DbCustomer = DbObject<CustomerData>;

export const rzpCustomerObject = z
  .strictObject({
    id: z.string(), entity: z.literal('customer'), name: z.string(), email: z.string().nullable(), contact: z.string().nullable(),
    gstin: z.string().nullable(), notes: notesObject, created_at: z.number().int(),
  })
  .meta({ id: 'RazorpayCustomer' });

export const rzpCustomer = (c: DbCustomer): z.output<typeof rzpCustomerObject> => ({
  id: c.id, entity: 'customer', name: c.data.name, email: c.data.email, contact: c.data.contact, gstin: c.data.gstin, notes: notesOut(c.data.notes), created_at: unix(c.created_at),
});

const name = z.string().trim().min(3, 'The name must be at least 3 characters.').max(50, 'The name may not be greater than 50 characters.');
const email = z.email('The email must be a valid email address.').max(64);
const contact = z.string().regex(/^\+?[0-9]{8,15}$/, 'The contact format is invalid.');
const gstin = z.string().regex(/^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][0-9A-Z]Z[0-9A-Z]$/, 'The gstin format is invalid.');

export const createCustomerBody = z.strictObject({
  name, email: email.optional(), contact: contact.optional(), gstin: gstin.optional(), notes: notesField,
  /** 1 (default): a customer with the same email and contact is an error; 0: it is answered instead. */
  fail_existing: flag.optional(),
});
const editCustomerBody = z.strictObject({ name: name.optional(), email: email.optional(), contact: contact.optional(), gstin: gstin.nullable().optional(), notes: notesField });

export async function createCustomer(t: Tx, ctx: Ctx, body: z.output<typeof createCustomerBody>): Promise<DbCustomer> {
  const existing = await findCustomer<CustomerData>(t, ctx.tenant.id, body.email ?? null, body.contact ?? null);
  if (existing && (body.email !== undefined || body.contact !== undefined)) {
    if (body.fail_existing === false) return existing;
    throw badRequest('customer_already_exists', 'Customer already exists for the merchant');
  }
  return insertObject<CustomerData>(t, {
    id: newId('rzpCustomer'), tenantId: ctx.tenant.id, kind: 'customer',
    data: { name: body.name, email: body.email ?? null, contact: body.contact ?? null, gstin: body.gstin ?? null, notes: body.notes ?? {} } satisfies CustomerData,
  });
}

export const getCustomer = (db: Parameters<typeof getObject>[0], tenantId: string, id: string, param?: string) =>
  getObject<CustomerData>(db, tenantId, 'customer', id, { what: 'customer', ...(param ? { param } : {}) });

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const customer = byId('rzpCustomer', 'customer');

export const customerRoutes = [
  route({
    ...base, method: 'post', path: '/v1/customers', write: true, summary: 'Create a customer (Razorpay)',
    description: '`fail_existing` 1 (default): a customer with the same email and contact is a 400; 0: that customer is answered.',
    body: createCustomerBody, response: rzpCustomerObject, example: { name: 'Gaurav Kumar', email: 'gaurav@example.com', contact: '9123456780', fail_existing: 0 },
    handler: async ({ t, ctx, body }) => rzpCustomer(await createCustomer(t, ctx, body)),
  }),
  route({
    ...base, method: 'get', path: '/v1/customers', summary: 'All customers (Razorpay)', query: ownListQuery({}), response: collectionOf(rzpCustomerObject),
    handler: async ({ db, ctx, query: q }) => {
      const items = await listObjects<CustomerData, ReturnType<typeof rzpCustomer>>(db, ctx.tenant.id, 'customer', q, rzpCustomer);
      return { entity: 'collection' as const, count: items.length, items };
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/customers/:id', summary: 'Fetch a customer (Razorpay)', params: customer, response: rzpCustomerObject,
    handler: async ({ db, ctx, params: p }) => rzpCustomer(await getCustomer(db, ctx.tenant.id, p.id)),
  }),
  route({
    ...base, method: 'put', path: '/v1/customers/:id', write: true, summary: 'Edit a customer (Razorpay)', params: customer, body: editCustomerBody, response: rzpCustomerObject,
    example: { name: 'Gaurav K', contact: '9123456781' },
    handler: async ({ t, ctx, params: p, body }) => {
      const c = await getObject<CustomerData>(t, ctx.tenant.id, 'customer', p.id, { lock: true, what: 'customer' });
      const data: CustomerData = {
        name: body.name ?? c.data.name, email: body.email ?? c.data.email, contact: body.contact ?? c.data.contact,
        gstin: body.gstin === undefined ? c.data.gstin : body.gstin, notes: body.notes ?? c.data.notes,
      };
      return rzpCustomer(await updateObject<CustomerData>(t, c.id, { data: { ...data } }));
    },
  }),
];

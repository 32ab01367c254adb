import { z } from 'zod';
import { route } from '../../../routing/route.ts';
import { customerCreate, customerUpdate } from '../customer-schemas.ts';
import { createCustomer, customerObject, customerRow, deleteCustomer, listCustomers, searchCustomers, updateCustomer } from '../customers.ts';
import { paymentMethodObject } from '../entities.ts';
import { expandAll } from '../expand.ts';
import { EXPANDERS } from '../expanders.ts';
import { raiser } from '../object-events.ts';
import { customerPaymentMethod, listPaymentMethods } from '../payment-method-actions.ts';
import { expand, listOf, listParams, sInt } from '../schemas.ts';
import { base, createdRange, idParams, listUrl, read, write } from './common.ts';
import { paymentMethod } from './payment-methods.ts';

/** A customer, or the stub a deleted one answers with. */
const customer = z.looseObject({ id: z.string(), object: z.literal('customer') }).meta({ id: 'StripeCustomer' });
const deleted = z.strictObject({ id: z.string(), object: z.literal('customer'), deleted: z.literal(true) }).meta({ id: 'StripeDeletedCustomer' });
const searchResult = z.strictObject({ object: z.literal('search_result'), data: z.array(customer), has_more: z.boolean(), next_page: z.string().nullable(), url: z.string() });

const listQuery = z.strictObject({ ...listParams, email: z.string().max(512).optional(), test_clock: z.string().max(200).optional() });
const searchQuery = z.strictObject({ query: z.string().min(1).max(1000), limit: sInt(1, 100).optional(), page: z.string().max(200).optional(), expand });
const methodsQuery = z.strictObject({ ...listParams, type: z.string().max(50).optional(), allow_redisplay: z.enum(['always', 'limited', 'unspecified']).optional() });
const customerMethodParams = z.strictObject({ customer: z.string().min(1).max(200), id: z.string().min(1).max(200) });

const page = (q: { limit?: number | undefined; starting_after?: string | undefined; ending_before?: string | undefined }) =>
  ({ limit: q.limit ?? 10, startingAfter: q.starting_after, endingBefore: q.ending_before });

export const customerRoutes = [
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/customers', summary: 'Create a customer (Stripe)', body: customerCreate, response: customer, errors: [404],
    example: { email: 'jenny@example.com', name: 'Jenny Rosen', metadata: { user_id: '42' } },
    handler: async ({ svc, t, ctx, body, baseUrl }) => expandAll(t, ctx.tenant.id, baseUrl, customerObject(await createCustomer(t, raiser(t, svc, ctx), ctx.tenant.id, body)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/customers', summary: 'List customers (Stripe), newest first', query: listQuery, response: listOf(customer), errors: [404],
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      // A customer is never attached to a test clock: Sandpay's one clock is the whole tenant's (test-clocks.ts).
      const rows = q.test_clock !== undefined ? { data: [], has_more: false } : await listCustomers(db, ctx.tenant.id, { ...page(q), email: q.email, ...createdRange(q.created) });
      return expandAll(db, ctx.tenant.id, baseUrl, { object: 'list', data: rows.data.map(customerObject), has_more: rows.has_more, url: listUrl('customers') }, q.expand, EXPANDERS);
    },
  }),
  // Before /v1/customers/:id, which would take "search" for an id.
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/customers/search', summary: "Search customers (Stripe's query language: email, name, phone, metadata, created)", query: searchQuery,
    response: searchResult,
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      const rows = await searchCustomers(db, ctx.tenant.id, { query: q.query, limit: q.limit ?? 10, page: q.page });
      const last = rows.data.at(-1);
      const result = { object: 'search_result', data: rows.data.map(customerObject), has_more: rows.has_more, next_page: rows.has_more && last ? last.id : null, url: '/v1/customers/search' };
      return expandAll(db, ctx.tenant.id, baseUrl, result, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/customers/:id', summary: 'Retrieve a customer (Stripe); a deleted one answers its stub', params: idParams, query: z.strictObject({ expand }),
    response: customer,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) => expandAll(db, ctx.tenant.id, baseUrl, customerObject(await customerRow(db, ctx.tenant.id, p.id)), q.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/customers/:id', summary: 'Update a customer (Stripe): metadata merges, "" unsets', params: idParams, body: customerUpdate, response: customer,
    example: { metadata: { plan: 'pro' } },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) => expandAll(t, ctx.tenant.id, baseUrl, customerObject(await updateCustomer(t, raiser(t, svc, ctx), ctx.tenant.id, p.id, body)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('payments'), method: 'delete', path: '/v1/customers/:id', summary: 'Delete a customer (Stripe): its payment methods are detached', params: idParams, response: deleted,
    handler: async ({ svc, t, ctx, params: p }) => customerObject(await deleteCustomer(t, raiser(t, svc, ctx), ctx.tenant.id, p.id)),
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/customers/:id/payment_methods', summary: "List a customer's payment methods (Stripe)", params: idParams, query: methodsQuery,
    response: listOf(paymentMethod),
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) => {
      const rows = await listPaymentMethods(db, ctx.tenant.id, p.id, { ...page(q), type: q.type }, 'id');
      const list = { object: 'list', data: rows.data.map(paymentMethodObject), has_more: rows.has_more, url: listUrl(`customers/${p.id}/payment_methods`) };
      return expandAll(db, ctx.tenant.id, baseUrl, list, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/customers/:customer/payment_methods/:id', summary: "Retrieve one of a customer's payment methods (Stripe)", params: customerMethodParams,
    query: z.strictObject({ expand }), response: paymentMethod,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) =>
      expandAll(db, ctx.tenant.id, baseUrl, paymentMethodObject(await customerPaymentMethod(db, ctx.tenant.id, p.customer, p.id)), q.expand, EXPANDERS),
  }),
];

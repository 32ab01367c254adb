import { z } from 'zod';
import { route } from '../../../routing/route.ts';
import { paymentMethodCreate, paymentMethodUpdate } from '../customer-schemas.ts';
import { paymentMethodObject } from '../entities.ts';
import { expandAll } from '../expand.ts';
import { EXPANDERS } from '../expanders.ts';
import { attachPaymentMethod, createPaymentMethod, detachPaymentMethod, listPaymentMethods, paymentMethodRow, updatePaymentMethod } from '../payment-method-actions.ts';
import { expand, listOf, listParams } from '../schemas.ts';
import { raiser } from '../object-events.ts';
import { checkBrowserOrigin } from '../browser-keys.ts';
import { base, idParams, listUrl, read, write } from './common.ts';

export const paymentMethod = z.looseObject({ id: z.string(), object: z.literal('payment_method'), type: z.string() }).meta({ id: 'StripePaymentMethod' });

/** Stripe asks for the customer whose payment methods to list. */
const listQuery = z.strictObject({ ...listParams, customer: z.string().min(1).max(200), type: z.string().max(50).optional() });
const attachBody = z.strictObject({ customer: z.string().min(1).max(200), expand });

export const paymentMethodRoutes = [
  route({
    ...base, ...write('payments'), auth: 'publishable', method: 'post', path: '/v1/payment_methods',
    summary: 'Create a card PaymentMethod (Stripe): from a test card number or a test token; the publishable key may (the card Element does)', body: paymentMethodCreate,
    response: paymentMethod, errors: [402, 404],
    example: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' } },
    async prepare({ svc, ctx, keyType, header, baseUrl }) {
      if (keyType === 'publishable') checkBrowserOrigin(svc, ctx.tenant, header('origin'), baseUrl);
    },
    handler: async ({ t, ctx, body, baseUrl }) => expandAll(t, ctx.tenant.id, baseUrl, paymentMethodObject(await createPaymentMethod(t, ctx.tenant.id, body)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/payment_methods', summary: "List a customer's PaymentMethods (Stripe)", query: listQuery, response: listOf(paymentMethod), errors: [404],
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      const rows = await listPaymentMethods(db, ctx.tenant.id, q.customer, { limit: q.limit ?? 10, startingAfter: q.starting_after, endingBefore: q.ending_before, type: q.type });
      return expandAll(db, ctx.tenant.id, baseUrl, { object: 'list', data: rows.data.map(paymentMethodObject), has_more: rows.has_more, url: listUrl('payment_methods') }, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/payment_methods/:id', summary: 'Retrieve a PaymentMethod (Stripe)', params: idParams, query: z.strictObject({ expand }), response: paymentMethod,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) => expandAll(db, ctx.tenant.id, baseUrl, paymentMethodObject(await paymentMethodRow(db, ctx.tenant.id, p.id)), q.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/payment_methods/:id', summary: "Update a customer's PaymentMethod (Stripe): billing details, expiry, metadata", params: idParams,
    body: paymentMethodUpdate, response: paymentMethod, errors: [402, 404],
    example: { billing_details: { name: 'Jenny Rosen' }, metadata: { label: 'work card' } },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) => expandAll(t, ctx.tenant.id, baseUrl, paymentMethodObject(await updatePaymentMethod(t, raiser(t, svc, ctx), ctx.tenant.id, p.id, body)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/payment_methods/:id/attach', summary: 'Attach a PaymentMethod to a customer (Stripe)', params: idParams, body: attachBody, response: paymentMethod,
    example: { customer: 'cus_00000000000000000000' },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) =>
      expandAll(t, ctx.tenant.id, baseUrl, paymentMethodObject(await attachPaymentMethod(t, raiser(t, svc, ctx), ctx.tenant.id, p.id, body.customer)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/payment_methods/:id/detach', summary: 'Detach a PaymentMethod from its customer (Stripe)', params: idParams, body: z.strictObject({ expand }),
    response: paymentMethod,
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) => expandAll(t, ctx.tenant.id, baseUrl, paymentMethodObject(await detachPaymentMethod(t, raiser(t, svc, ctx), ctx.tenant.id, p.id)), body.expand, EXPANDERS),
  }),
];

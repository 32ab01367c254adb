import { z } from 'zod';
import { route } from '../../../routing/route.ts';
import { expandAll } from '../expand.ts';
import { EXPANDERS } from '../expanders.ts';
import { refundRow } from '../ledger.ts';
import { cancelStripeRefund, createStripeRefund, listStripeRefunds, refundAnswer, updateStripeRefund } from '../refunds.ts';
import { expand, listOf, listParams, sBool, sInt, sMetadata } from '../schemas.ts';
import { base, createdRange, idParams, listUrl, read, write } from './common.ts';

const refund = z.looseObject({ id: z.string(), object: z.literal('refund'), status: z.string().nullable() }).meta({ id: 'StripeRefund' });

const createBody = z.strictObject({
  payment_intent: z.string().max(200).optional(),
  charge: z.string().max(200).optional(),
  amount: sInt(1).optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  metadata: sMetadata.optional(),
  // Accepted as Stripe accepts them; Sandpay sends no emails and has no connected accounts.
  instructions_email: z.email().max(254).optional(),
  refund_application_fee: sBool.optional(),
  reverse_transfer: sBool.optional(),
  expand,
});
const updateBody = z.strictObject({ metadata: sMetadata.optional(), expand });
const listQuery = z.strictObject({ ...listParams, charge: z.string().max(200).optional(), payment_intent: z.string().max(200).optional() });

export const refundRoutes = [
  route({
    ...base, ...write('refunds'), method: 'post', path: '/v1/refunds', summary: 'Create a refund (Stripe): by payment_intent or charge, settled at once as in Stripe test mode',
    body: createBody, response: refund, errors: [404], example: { payment_intent: 'pi_00000000000000000000', amount: 500 },
    handler: async ({ svc, t, ctx, body, baseUrl }) =>
      expandAll(t, ctx.tenant.id, baseUrl, await refundAnswer(t, ctx.tenant.id, await createStripeRefund(t, svc, ctx, body)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...read('refunds'), method: 'get', path: '/v1/refunds', summary: 'List refunds (Stripe)', query: listQuery, response: listOf(refund), errors: [404],
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      const { data, hasMore } = await listStripeRefunds(db, ctx.tenant.id, {
        limit: q.limit ?? 10, charge: q.charge, payment_intent: q.payment_intent, ...createdRange(q.created), startingAfter: q.starting_after, endingBefore: q.ending_before,
      });
      return expandAll(db, ctx.tenant.id, baseUrl, { object: 'list', data, has_more: hasMore, url: listUrl('refunds') }, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('refunds'), method: 'get', path: '/v1/refunds/:id', summary: 'Retrieve a refund (Stripe)', params: idParams, query: z.strictObject({ expand }), response: refund,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) =>
      expandAll(db, ctx.tenant.id, baseUrl, await refundAnswer(db, ctx.tenant.id, await refundRow(db, ctx.tenant.id, p.id)), q.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('refunds'), method: 'post', path: '/v1/refunds/:id', summary: 'Update a refund (Stripe): its metadata', params: idParams, body: updateBody, response: refund,
    example: { metadata: { ticket: 'T-1' } },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) =>
      expandAll(t, ctx.tenant.id, baseUrl, await refundAnswer(t, ctx.tenant.id, await updateStripeRefund(t, svc, ctx, p.id, body.metadata)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('refunds'), method: 'post', path: '/v1/refunds/:id/cancel', summary: 'Cancel a refund (Stripe): only requires_action refunds, which cards never make',
    params: idParams, body: z.strictObject({ expand }), response: refund,
    handler: ({ t, ctx, params: p }) => cancelStripeRefund(t, ctx.tenant.id, p.id),
  }),
];

import { z } from 'zod';
import { Refusal, route } from '../../../routing/route.ts';
import { paymentIntentObject } from '../entities.ts';
import { expandAll } from '../expand.ts';
import { EXPANDERS } from '../expanders.ts';
import { cancelIntent, captureIntent, checkAmount, confirmIntent, createIntent, listIntents, loadIntent, updateIntentFields } from '../intents.ts';
import { amount, expand, httpUrlOf, listOf, listParams, sBool, sCurrency, sInt, sMetadata } from '../schemas.ts';
import { checkBrowserOrigin, clientIntent, clientRefusal, noExpandWithPublishableKey, requireClientSecret, secretOnly } from '../browser-keys.ts';
import { base, createdRange, idParams, listUrl, read, write } from './common.ts';

const paymentIntent = z.looseObject({ id: z.string(), object: z.literal('payment_intent'), status: z.string() }).meta({ id: 'StripePaymentIntent' });

/** Accepted as Stripe accepts them; Sandpay takes cards only, so these change nothing. */
const ignored = {
  automatic_payment_methods: z.looseObject({ enabled: sBool.optional(), allow_redirects: z.enum(['always', 'never']).optional() }).optional(),
  payment_method_options: z.looseObject({}).optional(),
  payment_method_data: z.looseObject({}).optional(),
  off_session: z.union([sBool, z.enum(['one_off', 'recurring'])]).optional(),
  error_on_requires_action: sBool.optional(),
  use_stripe_sdk: sBool.optional(),
  mandate_data: z.looseObject({}).optional(),
  shipping: z.union([z.literal(''), z.looseObject({})]).optional(),
  statement_descriptor_suffix: z.string().max(22).optional(),
  transfer_group: z.string().max(200).optional(),
  radar_options: z.looseObject({}).optional(),
};

/** Where the payer comes back after 3-D Secure: http(s) only, as Stripe requires (never javascript: or data:). */
const httpUrl = httpUrlOf(2048, 'return_url must be an http(s) URL');

const confirmFields = {
  payment_method: z.string().max(200).optional(),
  return_url: httpUrl.optional(),
  receipt_email: z.union([z.literal(''), z.email().max(254)]).optional(),
  setup_future_usage: z.enum(['on_session', 'off_session']).optional(),
  capture_method: z.enum(['automatic', 'automatic_async', 'manual']).optional(),
  expand,
};

const methodTypes = z.array(z.literal('card', { error: 'Sandpay takes cards (card) only' })).min(1).optional();

const createBody = z.strictObject({
  amount,
  currency: sCurrency,
  confirm: sBool.optional(),
  confirmation_method: z.enum(['automatic', 'manual']).optional(),
  customer: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
  metadata: sMetadata.optional(),
  statement_descriptor: z.string().max(22).optional(),
  payment_method_types: methodTypes,
  allowed_payment_method_types: methodTypes,
  excluded_payment_method_types: z.array(z.string()).optional(),
  ...confirmFields,
  ...ignored,
});

const updateBody = z.strictObject({
  amount: amount.optional(),
  currency: sCurrency.optional(),
  customer: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
  metadata: sMetadata.optional(),
  payment_method: z.string().max(200).optional(),
  receipt_email: z.union([z.literal(''), z.email().max(254)]).optional(),
  setup_future_usage: z.enum(['on_session', 'off_session']).optional(),
  statement_descriptor: z.string().max(22).optional(),
  expand,
  ...ignored,
});

/** `client_secret`: what Stripe.js sends with the publishable key (browser-keys.ts). */
const confirmBody = z.strictObject({ ...confirmFields, client_secret: z.string().max(200).optional(), ...ignored });
const captureBody = z.strictObject({ amount_to_capture: sInt(1).optional(), metadata: sMetadata.optional(), final_capture: sBool.optional(), statement_descriptor: z.string().max(22).optional(), statement_descriptor_suffix: z.string().max(22).optional(), expand });
const cancelBody = z.strictObject({ cancellation_reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']).optional(), expand });
const retrieveQuery = z.strictObject({ client_secret: z.string().max(200).optional(), expand });
const listQuery = z.strictObject({ ...listParams, customer: z.string().max(200).optional() });

const emptyToUndefined = (v: string | undefined) => (v === '' ? undefined : v);

export const paymentIntentRoutes = [
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/payment_intents', summary: 'Create a PaymentIntent (Stripe)', body: createBody, response: paymentIntent, errors: [402, 404],
    example: { amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
    handler: async ({ svc, t, ctx, body, baseUrl }) => {
      checkAmount(body.amount, body.currency);
      const answer = await createIntent(t, svc, ctx, baseUrl, {
        ...body, receipt_email: emptyToUndefined(body.receipt_email), capture_method: body.capture_method ?? 'automatic', confirmation_method: body.confirmation_method ?? 'automatic',
        payment_method_types: ['card'], confirm: body.confirm ?? false,
      });
      return answer instanceof Refusal ? answer : expandAll(t, ctx.tenant.id, baseUrl, paymentIntentObject(answer), body.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/payment_intents', summary: 'List PaymentIntents (Stripe)', query: listQuery, response: listOf(paymentIntent),
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      const { parts, hasMore } = await listIntents(db, ctx.tenant.id, baseUrl, { limit: q.limit ?? 10, customer: q.customer, ...createdRange(q.created), startingAfter: q.starting_after, endingBefore: q.ending_before });
      return expandAll(db, ctx.tenant.id, baseUrl, { object: 'list', data: parts.map(paymentIntentObject), has_more: hasMore, url: listUrl('payment_intents') }, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('payments'), auth: 'publishable', method: 'get', path: '/v1/payment_intents/:id', summary: 'Retrieve a PaymentIntent (Stripe; with the publishable key, by its client_secret)',
    params: idParams, query: retrieveQuery, response: paymentIntent,
    handler: async ({ svc, db, ctx, params: p, query: q, baseUrl, keyType, header }) => {
      if (keyType === 'publishable') {
        checkBrowserOrigin(svc, ctx.tenant, header('origin'), baseUrl);
        noExpandWithPublishableKey(q.expand);
      }
      const parts = await loadIntent(db, ctx.tenant.id, p.id, baseUrl);
      if (keyType === 'publishable') {
        requireClientSecret(parts, q.client_secret);
        return clientIntent(paymentIntentObject(parts));
      }
      return expandAll(db, ctx.tenant.id, baseUrl, paymentIntentObject(parts), q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/payment_intents/:id', summary: 'Update a PaymentIntent (Stripe)', params: idParams, body: updateBody, response: paymentIntent,
    example: { metadata: { order_id: '6735' } },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) => {
      if (body.amount !== undefined && body.currency !== undefined) checkAmount(body.amount, body.currency);
      return expandAll(t, ctx.tenant.id, baseUrl, paymentIntentObject(await updateIntentFields(t, svc, ctx, baseUrl, p.id, { ...body, receipt_email: emptyToUndefined(body.receipt_email) })), body.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...write('payments'), auth: 'publishable', method: 'post', path: '/v1/payment_intents/:id/confirm', summary: 'Confirm a PaymentIntent (Stripe; with the publishable key, by its client_secret)',
    params: idParams, body: confirmBody, response: paymentIntent, errors: [402, 404],
    example: { payment_method: 'pm_card_visa' },
    async prepare({ svc, ctx, body, keyType, header, baseUrl }) {
      if (keyType !== 'publishable') return;
      if (body.capture_method !== undefined) secretOnly('capture_method');
      checkBrowserOrigin(svc, ctx.tenant, header('origin'), baseUrl);
      noExpandWithPublishableKey(body.expand);
    },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl, keyType }) => {
      if (keyType === 'publishable') requireClientSecret(await loadIntent(t, ctx.tenant.id, p.id, baseUrl), body.client_secret);
      const answer = await confirmIntent(t, svc, ctx, baseUrl, p.id, { payment_method: body.payment_method, return_url: body.return_url, receipt_email: emptyToUndefined(body.receipt_email), capture_method: body.capture_method });
      if (keyType === 'publishable') return answer instanceof Refusal ? clientRefusal(answer) : clientIntent(paymentIntentObject(answer));
      return answer instanceof Refusal ? answer : expandAll(t, ctx.tenant.id, baseUrl, paymentIntentObject(answer), body.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/payment_intents/:id/capture', summary: 'Capture a PaymentIntent (Stripe)', params: idParams, body: captureBody, response: paymentIntent,
    example: { amount_to_capture: 1500 },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) =>
      expandAll(t, ctx.tenant.id, baseUrl, paymentIntentObject(await captureIntent(t, svc, ctx, baseUrl, p.id, body)), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/payment_intents/:id/cancel', summary: 'Cancel a PaymentIntent (Stripe)', params: idParams, body: cancelBody, response: paymentIntent,
    example: { cancellation_reason: 'requested_by_customer' },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) =>
      expandAll(t, ctx.tenant.id, baseUrl, paymentIntentObject(await cancelIntent(t, svc, ctx, baseUrl, p.id, body.cancellation_reason)), body.expand, EXPANDERS),
  }),
];

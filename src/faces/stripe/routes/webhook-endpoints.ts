import { z } from 'zod';
import { route } from '../../../routing/route.ts';
import { checkTargetUrl } from '../../../webhooks/endpoints.ts';
import { webhookUrlSchema } from '../../../webhooks/schemas.ts';
import { STRIPE_EVENTS } from '../events.ts';
import { expandAll } from '../expand.ts';
import { EXPANDERS } from '../expanders.ts';
import { expand, listOf, listParams, sBool, sMetadata } from '../schemas.ts';
import { createStripeEndpoint, deleteStripeEndpoint, endpointObject, endpointRow, listStripeEndpoints, updateStripeEndpoint } from '../webhook-endpoints.ts';
import { base, idParams, listUrl, read, write } from './common.ts';

const endpoint = z.looseObject({ id: z.string(), object: z.literal('webhook_endpoint'), url: z.string(), enabled_events: z.array(z.string()), status: z.string() })
  .meta({ id: 'StripeWebhookEndpoint' });
const withSecret = endpoint.extend({ secret: z.string().optional() });
const deleted = z.strictObject({ id: z.string(), object: z.literal('webhook_endpoint'), deleted: z.literal(true) }).meta({ id: 'StripeDeletedWebhookEndpoint' });

const KNOWN = ['*', ...STRIPE_EVENTS] as [string, ...string[]];
const enabledEvents = z
  .array(z.enum(KNOWN, { error: 'is not a Stripe event type Sandpay knows (README: Stripe face, webhooks), nor "*"' }))
  .min(1, 'must list at least one event type, or "*"')
  .max(KNOWN.length);

/** Stripe's API versions are dates with an optional major name (`2023-10-16`, `2026-11-18.endive`); events say the one given. */
const apiVersion = z.string().regex(/^\d{4}-\d{2}-\d{2}(\.[a-z]{1,30})?$/, 'must be a Stripe API version such as 2023-10-16 or 2026-11-18.endive');

const description = z.string().max(5000);

const createBody = z.strictObject({
  url: webhookUrlSchema,
  enabled_events: enabledEvents,
  api_version: apiVersion.optional(),
  description: description.optional(),
  metadata: sMetadata.optional(),
  connect: z.literal(['false', false], { error: 'Sandpay has no Connect accounts: connect must be false' }).optional(),
  expand,
});

const updateBody = z.strictObject({
  url: webhookUrlSchema.optional(),
  enabled_events: enabledEvents.optional(),
  disabled: sBool.optional(),
  description: description.optional(),
  metadata: sMetadata.optional(),
  expand,
});

const listQuery = z.strictObject({ limit: listParams.limit, starting_after: listParams.starting_after, ending_before: listParams.ending_before, expand });

export const webhookEndpointRoutes = [
  route({
    ...base, ...write('webhooks'), method: 'post', path: '/v1/webhook_endpoints', summary: "Create a webhook endpoint (Stripe): Stripe's events, signed with the whsec_ secret answered once",
    body: createBody, response: withSecret, shownOnce: ['secret'], example: { url: 'http://127.0.0.1:9/hooks', enabled_events: ['payment_intent.succeeded'] },
    prepare: ({ body, svc }) => checkTargetUrl(body.url, svc.config.webhooks.allowPrivate),
    handler: async ({ svc, t, ctx, body, baseUrl }) => expandAll(t, ctx.tenant.id, baseUrl, await createStripeEndpoint(t, svc, ctx, body), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...read('webhooks'), method: 'get', path: '/v1/webhook_endpoints', summary: 'List webhook endpoints (Stripe): those of format stripe, newest first', query: listQuery,
    response: listOf(endpoint),
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      const page = await listStripeEndpoints(db, ctx.tenant.id, { limit: q.limit ?? 10, startingAfter: q.starting_after, endingBefore: q.ending_before });
      return expandAll(db, ctx.tenant.id, baseUrl, { object: 'list', data: page.data, has_more: page.hasMore, url: listUrl('webhook_endpoints') }, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('webhooks'), method: 'get', path: '/v1/webhook_endpoints/:id', summary: 'Retrieve a webhook endpoint (Stripe)', params: idParams, query: z.strictObject({ expand }),
    response: endpoint,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) =>
      expandAll(db, ctx.tenant.id, baseUrl, await endpointObject(db, ctx.tenant.id, await endpointRow(db, ctx.tenant.id, p.id)), q.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('webhooks'), method: 'post', path: '/v1/webhook_endpoints/:id', summary: 'Update a webhook endpoint (Stripe): url, enabled_events, disabled, description, metadata',
    params: idParams, body: updateBody, response: endpoint, example: { disabled: true },
    prepare: async ({ body, svc }) => {
      if (body.url !== undefined) await checkTargetUrl(body.url, svc.config.webhooks.allowPrivate);
    },
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) => expandAll(t, ctx.tenant.id, baseUrl, await updateStripeEndpoint(t, svc, ctx, p.id, body), body.expand, EXPANDERS),
  }),
  route({
    ...base, ...write('webhooks'), method: 'delete', path: '/v1/webhook_endpoints/:id', summary: 'Delete a webhook endpoint (Stripe)', params: idParams, response: deleted,
    handler: async ({ svc, t, ctx, params: p }) => deleteStripeEndpoint(t, svc, ctx, p.id),
  }),
];

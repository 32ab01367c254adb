import { z } from 'zod';
import { stateError } from '../../../core/errors.ts';
import { listOf, pageQuery } from '../../../core/schemas.ts';
import {
  deliveryView, requeueDeliveries, requeueOne, withAttempts,
} from '../../../webhooks/deliveries.ts';
import {
  checkTargetUrl, createEndpoint, deleteEndpoint, endpointView, rotateEndpointSecret, updateEndpoint,
} from '../../../webhooks/endpoints.ts';
import type { WebhookFace } from '../../../webhooks/faces.ts';
import { getDelivery, getEndpoint, listDeliveries, listEndpoints } from '../../../webhooks/store.ts';
import { checkBody, checkReportObject, deliveryObject, endpointSchemas, listDeliveriesQuery, replayObject, replaySchema } from '../../../webhooks/schemas.ts';
import { checkEndpoint } from '../../../webhooks/check.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

// Not "Webhooks": the reference lists the event bodies (the document's `webhooks`) under that title.
const tag = 'Webhook endpoints';
const endpoint = byId('webhookEndpoint', 'webhook endpoint');
const delivery = byId('webhookDelivery', 'webhook delivery');

export const deletedObject = (object: string) => z.strictObject({ id: z.string(), object: z.literal(object), deleted: z.literal(true) });

/** Webhook endpoints take the formats of the faces this Sandpay serves (src/contract/faces.ts). */
export function webhookRoutes(faces: readonly WebhookFace[]) {
  const { create: createEndpointSchema, patch: patchEndpointSchema, object: endpointObject, withSecret: endpointWithSecret } = endpointSchemas(faces);
  return [
    route({
      method: 'post', path: '/api/v1/webhook-endpoints', auth: 'secret', permission: { resource: 'webhooks', level: 'write' }, tag, write: true, status: 201, shownOnce: ['secret'],
      summary: 'Subscribe an endpoint', description: 'The answer holds the endpoint\'s `whsec_` signing secret, shown once: an idempotent replay omits it.',
      body: createEndpointSchema, response: endpointWithSecret, example: { url: 'http://127.0.0.1:9/hooks', events: ['*'] },
      prepare: ({ body, svc }) => checkTargetUrl(body.url, svc.config.webhooks.allowPrivate),
      handler: async ({ svc, t, ctx, body }) => {
        const e = await createEndpoint(t, svc, ctx, body);
        return { ...endpointView(e), secret: e.secret };
      },
    }),
    route({
      method: 'get', path: '/api/v1/webhook-endpoints', auth: 'secret', permission: { resource: 'webhooks', level: 'read' }, tag, summary: 'List endpoints', query: z.strictObject(pageQuery), response: listOf(endpointObject),
      handler: ({ db, ctx, query: q }) => listEndpoints(db, ctx.tenant.id, pageArgs(q), endpointView),
    }),
    route({
      method: 'get', path: '/api/v1/webhook-endpoints/:id', auth: 'secret', permission: { resource: 'webhooks', level: 'read' }, tag, summary: 'Retrieve an endpoint', params: endpoint, response: endpointObject,
      handler: async ({ db, ctx, params: p }) => endpointView(await getEndpoint(db, ctx.tenant.id, p.id)),
    }),
    route({
      method: 'patch', path: '/api/v1/webhook-endpoints/:id', auth: 'secret', permission: { resource: 'webhooks', level: 'write' }, tag, write: true, summary: 'Update an endpoint (url, events, enabled)',
      params: endpoint, body: patchEndpointSchema, response: endpointObject, example: { description: 'moved' },
      prepare: async ({ body, svc }) => {
        if (body.url !== undefined) await checkTargetUrl(body.url, svc.config.webhooks.allowPrivate);
      },
      handler: async ({ svc, t, ctx, params: p, body }) => endpointView(await updateEndpoint(t, svc, ctx, p.id, body)),
    }),
    route({
      method: 'delete', path: '/api/v1/webhook-endpoints/:id', auth: 'secret', permission: { resource: 'webhooks', level: 'write' }, tag, write: true, summary: 'Delete an endpoint', params: endpoint, response: deletedObject('webhook_endpoint'),
      handler: async ({ svc, t, ctx, params: p }) => {
        await deleteEndpoint(t, svc, ctx, p.id);
        return { id: p.id, object: 'webhook_endpoint' as const, deleted: true as const };
      },
    }),
    route({
      method: 'post', path: '/api/v1/webhook-endpoints/:id/rotate-secret', auth: 'secret', permission: { resource: 'webhooks', level: 'write' }, tag, write: true, shownOnce: ['secret'],
      summary: "Rotate an endpoint's signing secret", params: endpoint, body: z.strictObject({}), response: endpointWithSecret, example: {},
      handler: async ({ svc, t, ctx, params: p }) => {
        const e = await rotateEndpointSecret(t, svc, ctx, p.id);
        return { ...endpointView(e), secret: e.secret };
      },
    }),
    route({
      method: 'post', path: '/api/v1/webhook-endpoints/:id/check', auth: 'secret', permission: { resource: 'webhooks', level: 'write' }, tag, idempotency: 'none',
      summary: "Grade the endpoint's handler: a suite of valid and forged deliveries, each answer graded",
      description:
        "Sends, in the endpoint's format and signed with its secret, every event its format has (each expects 2xx), a duplicate and an older event after a newer one (2xx), " +
        'an unknown event type (2xx), and forgeries: a made-up signature, a body changed after signing, no signature, a timestamp older than the tolerance ' +
        '(not applicable to Razorpay, whose signature has none), another secret (each expects 4xx: a 2xx is "your handler accepts forged events"). ' +
        'An answer slower than the timeout fails, as Sandpay would retry it. Nothing is stored or retried; `sandpay check-handler` runs the same suite from your machine.',
      params: endpoint, body: checkBody, response: checkReportObject, example: { timeout_ms: 2000 },
      handler: ({ svc, ctx, params: p, body }) => checkEndpoint(svc, ctx, p.id, body),
    }),
    route({
      method: 'get', path: '/api/v1/webhook-deliveries', auth: 'secret', permission: { resource: 'webhooks', level: 'read' }, tag, summary: 'List deliveries with their attempts', query: listDeliveriesQuery, response: listOf(deliveryObject),
      handler: async ({ db, ctx, query: q }) => {
        const page = await listDeliveries(db, ctx.tenant.id, { status: q.status, endpointId: q.endpoint_id, eventId: q.event_id }, pageArgs(q), (d) => deliveryView(d));
        return { ...page, data: await withAttempts(db, page.data) };
      },
    }),
    route({
      method: 'get', path: '/api/v1/webhook-deliveries/:id', auth: 'secret', permission: { resource: 'webhooks', level: 'read' }, tag, summary: 'Retrieve a delivery with its attempts', params: delivery, response: deliveryObject,
      handler: async ({ db, ctx, params: p }) => (await withAttempts(db, [deliveryView(await getDelivery(db, p.id, ctx.tenant.id))]))[0],
    }),
    route({
      method: 'post', path: '/api/v1/webhook-deliveries/replay', auth: 'secret', permission: { resource: 'webhooks', level: 'write' }, tag, write: true, summary: 'Replay dead deliveries in bulk (bounded batch)',
      body: replaySchema, response: replayObject, example: {},
      handler: async ({ t, ctx, svc, body }) => {
        const rows = await requeueDeliveries(
          t, svc,
          { tenantId: ctx.tenant.id, statuses: ['dead'], endpointId: body.endpoint_id, since: body.since, limit: body.limit, resetRound: true },
          ctx.actor, ctx.requestId, 'webhook_delivery.replayed',
        );
        return { object: 'replay' as const, requeued: rows.length, delivery_ids: rows.map((r) => r.id) };
      },
    }),
    route({
      method: 'post', path: '/api/v1/webhook-deliveries/:id/retry', auth: 'secret', permission: { resource: 'webhooks', level: 'write' }, tag, write: true, summary: 'Retry a settled delivery now (a fresh round of attempts)',
      params: delivery, body: z.strictObject({}), response: deliveryObject, errors: [409], example: {},
      handler: ({ t, ctx, svc, params: p }) =>
        requeueOne(t, svc, {
          id: p.id,
          tenantId: ctx.tenant.id,
          statuses: ['dead', 'failed', 'delivered'],
          action: 'webhook_delivery.retried',
          refuse: (status) => stateError('delivery_in_progress', `Delivery is ${status} and already queued or being attempted; retry it once it settles`),
        }, ctx.actor, ctx.requestId),
    }),
  ];
}

import { z } from 'zod';
import { isTypePattern, parsePosition } from '../../../events/stream.ts';
import { resendEvent } from '../../../webhooks/resend.ts';
import { deliveryObject } from '../../../webhooks/schemas.ts';
import { byId, route, type RawReply } from '../../../routing/route.ts';

const tag = 'Events';

const streamQuery = z.strictObject({
  types: z
    .string()
    .max(1000)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .superRefine((xs, ctx) => {
      const bad = xs.find((x) => !isTypePattern(x));
      if (xs.length === 0) ctx.addIssue({ code: 'custom', message: 'must name at least one event type' });
      else if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(bad)} is not an event type, "prefix.*" or "*"` });
    })
    .optional()
    .meta({ description: 'Comma-separated event types to include: exact types, "payment.*" or "*" (default: all)' }),
  last_event_id: z
    .string()
    .transform((s, ctx) => parsePosition(s) ?? (ctx.addIssue({ code: 'custom', message: 'must be the id of a message from this stream' }), z.NEVER))
    .optional()
    .meta({ description: 'Resume after this message, for clients that cannot send the Last-Event-ID header' }),
});

const resendBody = z.strictObject({
  endpoint_id: z.string().regex(/^we_[0-9A-Za-z]{20}$/, 'must be a webhook endpoint id (we_…)').optional()
    .meta({ description: 'Only to this endpoint (subscribed to the type or not); default: every current target of the event' }),
});

const resendObject = z.strictObject({ object: z.literal('event_resend'), event_id: z.string(), deliveries: z.array(deliveryObject) }).meta({ id: 'EventResend' });

/** Before eventRoutes in the table: /events/stream must not be taken for /events/:id. */
export const eventStreamRoutes = [
  route({
    method: 'get', path: '/api/v1/events/stream', auth: 'secret', permission: { resource: 'events', level: 'read' }, tag, summary: "Server-sent events of the tenant's events as they commit",
    description:
      'First a `ready` message whose id is the resume point, then one message per event (`id`: its position, `event`: its type, `data`: the webhook body), ' +
      'and a comment every EVENT_STREAM_HEARTBEAT_MS. Reconnect with `Last-Event-ID` to get exactly the events committed meanwhile, in commit order.',
    query: streamQuery, response: z.string(), produces: 'text/event-stream',
    handler: async ({ web, ctx, query }) => ({ raw: (res) => web.streamEvents(ctx.tenant.id, query, res) }) satisfies RawReply,
  }),
  route({
    method: 'post', path: '/api/v1/events/:id/resend', auth: 'secret', permission: { resource: 'events', level: 'write' }, tag, write: true, status: 201,
    summary: 'Deliver an event again (same event id, so the same webhook-id), through the normal outbox',
    params: byId('event', 'event'), body: resendBody, response: resendObject, errors: [409],
    handler: async ({ svc, t, ctx, params: p, body }) => ({ object: 'event_resend' as const, event_id: p.id, deliveries: await resendEvent(t, svc, ctx, p.id, body.endpoint_id) }),
  }),
];

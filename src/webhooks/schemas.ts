import { z } from 'zod';
import { isoTime, pageQuery, timestampQuerySchema } from '../core/schemas.ts';
import { EVENT_TYPES } from '../events/events.ts';
import { webhookUrlSchema } from '../payments/schemas.ts';
import { RAZORPAY_EVENTS } from '../razorpay/events.ts';
import { DELIVERY_STATUSES } from './deliveries.ts';
import { WEBHOOK_FORMATS, type WebhookFormat } from './formats.ts';

/** Event names an endpoint may list: Sandpay's, and Razorpay's for a razorpay-format endpoint. */
const SANDPAY_NAMES: readonly string[] = ['*', ...EVENT_TYPES];
const RAZORPAY_NAMES: readonly string[] = ['*', ...RAZORPAY_EVENTS];
const ANY_NAME = [...new Set([...SANDPAY_NAMES, ...RAZORPAY_NAMES])] as [string, ...string[]];

const eventsSchema = z
  .array(z.enum(ANY_NAME))
  .min(1, 'must list at least one event type, or "*"')
  .max(ANY_NAME.length)
  .transform((xs) => [...new Set(xs)]);

/** The first listed event the format does not know, with what to say about it. */
export function eventNotInFormat(format: WebhookFormat, events: readonly string[]): { index: number; message: string } | null {
  const known = format === 'razorpay' ? RAZORPAY_NAMES : SANDPAY_NAMES;
  const index = events.findIndex((e) => !known.includes(e));
  if (index < 0) return null;
  const message = format === 'razorpay'
    ? `is not a Razorpay webhook event (${RAZORPAY_EVENTS.join(', ')})`
    : 'is a Razorpay event name: use it with "format": "razorpay" (Sandpay calls a captured payment payment.success)';
  return { index, message };
}

const endpointFields = {
  url: webhookUrlSchema,
  events: eventsSchema,
  description: z.string().max(500).optional(),
  enabled: z.boolean().optional(),
};

export const createEndpointSchema = z
  .strictObject({
    ...endpointFields,
    format: z.enum(WEBHOOK_FORMATS).default('sandpay').meta({ description: 'sandpay (default) or razorpay: Razorpay\'s event names, body and X-Razorpay-Signature' }),
    secret: z
      .string()
      .regex(/^[\x21-\x7e]{8,256}$/, 'must be 8 to 256 printable characters without spaces')
      .optional()
      .meta({ description: 'razorpay format only: the webhook secret your integration already verifies with (default: a generated whsec_…)' }),
  })
  .superRefine((v, ctx) => {
    const bad = eventNotInFormat(v.format, v.events);
    if (bad) ctx.addIssue({ code: 'custom', path: ['events', bad.index], message: bad.message });
    if (v.secret !== undefined && v.format !== 'razorpay') {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'can only be chosen for a razorpay-format endpoint (a Sandpay endpoint signs with a generated whsec_ secret)' });
    }
  });
export type EndpointInput = z.output<typeof createEndpointSchema>;
/** The format (and so which event names mean what) is fixed at creation. */
export const patchEndpointSchema = z.strictObject(endpointFields).partial();
export type EndpointPatch = z.output<typeof patchEndpointSchema>;

export const endpointObject = z
  .strictObject({
    id: z.string(),
    object: z.literal('webhook_endpoint'),
    url: z.string(),
    events: z.array(z.string()),
    format: z.enum(WEBHOOK_FORMATS),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'WebhookEndpoint' });

/** On creation and rotation only; an idempotent replay omits it (it may have been rotated since). */
export const endpointWithSecret = endpointObject.extend({ secret: z.string().optional().meta({ description: 'whsec_…: shown once' }) });

export const attemptObject = z.strictObject({
  attempt: z.number().int(),
  url: z.string(),
  status_code: z.number().int().nullable(),
  latency_ms: z.number(),
  response_body: z.string().nullable(),
  error: z.string().nullable(),
  request_headers: z.record(z.string(), z.string()).nullable().meta({ description: 'The headers this attempt sent (signatures with its own timestamp); the body is the event' }),
  created_at: isoTime,
});

export const deliveryObject = z
  .strictObject({
    id: z.string(),
    object: z.literal('webhook_delivery'),
    event_id: z.string(),
    event_type: z.string(),
    endpoint_id: z.string().nullable(),
    target: z.enum(['endpoint', 'payment_url']),
    url: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempt_count: z.number().int(),
    next_attempt_at: isoTime.nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    delivered_at: isoTime.nullable(),
    created_at: isoTime,
    updated_at: isoTime,
    attempts: z.array(attemptObject),
  })
  .meta({ id: 'WebhookDelivery' });

export const REPLAY_BATCH_MAX = 1000;

export const listDeliveriesQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(DELIVERY_STATUSES).optional(),
  endpoint_id: z.string().min(1).max(100).optional(),
  event_id: z.string().min(1).max(100).optional(),
});

export const replaySchema = z.strictObject({
  status: z.literal('dead', { error: 'only dead deliveries are replayed in bulk' }).default('dead'),
  since: timestampQuerySchema.optional(),
  endpoint_id: z.string().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(REPLAY_BATCH_MAX).default(REPLAY_BATCH_MAX),
});

export const replayObject = z.strictObject({ object: z.literal('replay'), requeued: z.number().int(), delivery_ids: z.array(z.string()) });

export const adminDlqQuery = z.strictObject({
  ...pageQuery,
  tenant_id: z.string().min(1).max(100).optional(),
  endpoint_id: z.string().min(1).max(100).optional(),
  event_id: z.string().min(1).max(100).optional(),
});

export const adminReplaySchema = z.strictObject({
  tenant_id: z.string().min(1).max(100).optional(),
  endpoint_id: z.string().min(1).max(100).optional(),
  since: timestampQuerySchema.optional(),
  limit: z.number().int().min(1).max(REPLAY_BATCH_MAX).default(REPLAY_BATCH_MAX),
});

export const deadLetterObject = deliveryObject.extend({ tenant_id: z.string() }).meta({ id: 'DeadLetter' });
export type EndpointObject = z.output<typeof endpointObject>;

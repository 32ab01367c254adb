import { z } from 'zod';
import { isoTime, pageQuery, timestampQuerySchema } from '../core/schemas.ts';
import { faceOf, NATIVE_FACE, type WebhookFace } from './faces.ts';

export const DELIVERY_STATUSES = ['pending', 'failed', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const webhookUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

/**
 * The endpoint schemas, for the faces this Sandpay serves (src/contract/faces.ts): which formats
 * an endpoint may take and which event names it may list (Sandpay's, or its face's own).
 */
export function endpointSchemas(faces: readonly WebhookFace[]) {
  const formats = [NATIVE_FACE, ...faces];
  const anyName = [...new Set(formats.flatMap((f) => ['*', ...f.events]))] as [string, ...string[]];
  const eventsSchema = z
    .array(z.enum(anyName))
    .min(1, 'must list at least one event type, or "*"')
    .max(anyName.length)
    .transform((xs) => [...new Set(xs)]);
  const formatEnum = z.enum(formats.map((f) => f.format) as [string, ...string[]]);
  const ownSecret = faces.filter((f) => f.ownSecret).map((f) => f.format);

  const fields = {
    url: webhookUrlSchema,
    events: eventsSchema,
    description: z.string().max(500).optional(),
    enabled: z.boolean().optional(),
  };
  const create = z
    .strictObject({
      ...fields,
      format: formatEnum.default(NATIVE_FACE.format).meta({ description: formats.map((f) => f.describe).join(' or ') }),
      secret: z
        .string()
        .regex(/^[\x21-\x7e]{8,256}$/, 'must be 8 to 256 printable characters without spaces')
        .optional()
        .meta({ description: `${ownSecret.join(' or ')} format only: the webhook secret your integration already verifies with (default: a generated whsec_…)` }),
    })
    .superRefine((v, ctx) => {
      const bad = eventNotInFormat(faces, v.format, v.events);
      if (bad) ctx.addIssue({ code: 'custom', path: ['events', bad.index], message: bad.message });
      if (v.secret !== undefined && !ownSecret.includes(v.format)) {
        ctx.addIssue({ code: 'custom', path: ['secret'], message: `can only be chosen for a ${ownSecret.join(' or ')}-format endpoint (a Sandpay endpoint signs with a generated whsec_ secret)` });
      }
    });
  const object = z
    .strictObject({
      id: z.string(),
      object: z.literal('webhook_endpoint'),
      url: z.string(),
      events: z.array(z.string()),
      format: formatEnum,
      description: z.string().nullable(),
      enabled: z.boolean(),
      disabled_reason: z.string().nullable(),
      created_at: isoTime,
      updated_at: isoTime,
    })
    .meta({ id: 'WebhookEndpoint' });
  return {
    create,
    /** The format (and so which event names mean what) is fixed at creation. */
    patch: z.strictObject(fields).partial(),
    object,
    /** On creation and rotation only; an idempotent replay omits it (it may have been rotated since). */
    withSecret: object.extend({ secret: z.string().optional().meta({ description: 'whsec_…: shown once' }) }),
  };
}

type EndpointSchemas = ReturnType<typeof endpointSchemas>;
export type EndpointInput = z.output<EndpointSchemas['create']>;
export type EndpointPatch = z.output<EndpointSchemas['patch']>;
export type EndpointObject = z.output<EndpointSchemas['object']>;

/** The first listed event the endpoint's face does not know, with what to say about it. */
export function eventNotInFormat(faces: readonly WebhookFace[], format: string, events: readonly string[]): { index: number; message: string } | null {
  const face = faceOf(faces, format);
  const index = events.findIndex((e) => e !== '*' && !face.events.includes(e));
  if (index < 0) return null;
  if (face !== NATIVE_FACE) return { index, message: `is not a ${face.label} webhook event (${face.events.join(', ')})` };
  const owner = faces.find((f) => f.events.includes(events[index]!));
  return { index, message: owner?.foreignNameHint ?? 'is not a Sandpay event type' };
}

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
    event_type: z.string().meta({ description: "The name it is sent under: the event's type, or for an endpoint of a gateway face one of the event's names there (one event may be several, e.g. Stripe's charge.succeeded and payment_intent.succeeded)" }),
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

// ----- the handler check (check.ts) -----

export const CHECK_CASES = [
  'valid', 'duplicate', 'out_of_order', 'unknown_event', 'forged_signature', 'tampered_body', 'missing_signature', 'stale_timestamp', 'other_secret',
] as const;

export const checkBody = z.strictObject({
  timeout_ms: z.number().int().min(100).max(60_000).optional().meta({ description: "How long each delivery waits for an answer (default: the server's WEBHOOK_TIMEOUT_MS)" }),
});

export const checkCaseObject = z
  .strictObject({
    case: z.enum(CHECK_CASES),
    event: z.string().meta({ description: "The event name the delivery carries, in the endpoint's format" }),
    sent: z.string().meta({ description: 'What was sent, in words' }),
    expected: z.enum(['2xx', '4xx']),
    answer: z
      .strictObject({ status_code: z.number().int().nullable(), latency_ms: z.number(), error: z.string().nullable() })
      .nullable()
      .meta({ description: "The handler's answer (the second one, for a case of two deliveries); null when the case does not apply to the format" }),
    verdict: z.enum(['pass', 'fail', 'not_applicable']),
    why: z.string(),
  })
  .meta({ id: 'WebhookCheckCase' });

export const checkReportObject = z
  .strictObject({
    object: z.literal('webhook_check'),
    endpoint_id: z.string().nullable(),
    url: z.string(),
    format: z.string(),
    timeout_ms: z.number().int(),
    passed: z.boolean().meta({ description: 'No case failed' }),
    summary: z.strictObject({ pass: z.number().int(), fail: z.number().int(), not_applicable: z.number().int() }),
    cases: z.array(checkCaseObject),
  })
  .meta({ id: 'WebhookCheck' });

import { z } from 'zod';
import { isoTime, pageQuery } from '../core/schemas.ts';
import { REQUEST_SOURCES, type DbRequestLog } from './store.ts';

export const requestLogQuery = z.strictObject({
  ...pageQuery,
  status: z
    .string()
    .regex(/^(?:[1-5]\d\d|[1-5]xx)$/, 'must be a status such as 404, or a class such as 4xx')
    .optional()
    .meta({ description: 'An exact status (404) or a class (4xx, 5xx)' }),
  method: z.enum(['GET', 'POST', 'PATCH', 'DELETE']).optional(),
  path: z.string().min(1).max(200).startsWith('/', 'must start with /').optional().meta({ description: 'Path prefix, e.g. /api/v1/payments' }),
  error_code: z.string().min(1).max(100).optional(),
  request_id: z.string().min(1).max(200).optional(),
  source: z.enum(REQUEST_SOURCES).optional(),
});

export const requestLogObject = z
  .strictObject({
    id: z.string(),
    object: z.literal('request_log_entry'),
    request_id: z.string(),
    method: z.string(),
    path: z.string(),
    query: z.string().nullable().meta({ description: 'The query string, with secret-looking values redacted' }),
    status: z.number().int(),
    latency_ms: z.number(),
    idempotency_key: z.string().nullable(),
    idempotent_replayed: z.boolean(),
    source: z.enum(REQUEST_SOURCES),
    error: z.strictObject({ type: z.string().nullable(), code: z.string().nullable(), message: z.string().nullable(), param: z.string().nullable() }).nullable(),
    request_body: z.string().nullable().meta({ description: 'JSON text with card numbers, cvc, keys and secrets redacted' }),
    response_body: z.string().nullable().meta({ description: 'JSON text, redacted like the request body' }),
    fault: z.string().nullable().meta({ description: 'The fault Sandpay injected into this request, if any' }),
    credential: z
      .strictObject({ type: z.string(), id: z.string().nullable() })
      .nullable()
      .meta({ description: 'Which credential made the request: its kind (secret_key, restricted_key, service_token, …) and id (key_…, or kid:jti of a service token)' }),
    created_at: isoTime,
  })
  .meta({ id: 'RequestLogEntry' });

type Entry = z.output<typeof requestLogObject>;

export function entryView(r: DbRequestLog): Entry {
  return {
    id: r.id,
    object: 'request_log_entry',
    request_id: r.request_id,
    method: r.method,
    path: r.path,
    query: r.query,
    status: r.status,
    latency_ms: r.latency_ms,
    idempotency_key: r.idempotency_key,
    idempotent_replayed: r.replayed,
    source: r.source,
    error: r.status >= 400 ? { type: r.error_type, code: r.error_code, message: r.error_message, param: r.error_param } : null,
    request_body: r.request_body,
    response_body: r.response_body,
    fault: r.fault,
    credential: r.credential_type ? { type: r.credential_type, id: r.credential_id } : null,
    created_at: r.created_at.toISOString(),
  };
}

import { z } from 'zod';
import { API_VERSION } from '../core/schemas.ts';
import { eventObject } from '../events/schemas.ts';
import { EVENT_TYPES } from '../events/events.ts';
import { errorSchema } from './error-schema.ts';
import { orderObject } from '../orders/schemas.ts';
import { paymentObject } from '../payments/schemas.ts';
import { refundObject } from '../refunds/schemas.ts';
import type { HttpFace } from '../routing/face.ts';
import type { AnyRoute } from '../routing/route.ts';
import { errorStatuses } from './statuses.ts';
import { permissionName } from '../credentials/permissions.ts';

type Json = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid request', 401: 'No valid credential', 403: 'Not allowed for this credential', 404: 'No such object',
  405: 'Method not allowed', 409: 'Conflict with the current state', 413: 'Body too large', 415: 'Body is not JSON',
  422: 'Idempotency-Key reused for another request', 429: 'Rate limited', 503: 'Unavailable; retry shortly',
};

/** What each event type carries in `data.object`. */
const EVENT_OBJECTS: Array<[string, z.ZodType]> = [
  ['payment.', paymentObject],
  ['fraud.', paymentObject],
  ['refund.', refundObject],
  ['order.', orderObject],
];

/**
 * Converts zod schemas to JSON Schema 2020-12 (OpenAPI 3.1's dialect). Schemas with a meta `id`
 * become shared components, referenced everywhere they appear.
 */
class SchemaSet {
  readonly components: Record<string, Json> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
    return this.hoist(json);
  }

  private hoist(json: Json): Json {
    const { $defs, $schema: _ignored, ...rest } = json as Json & { $defs?: Record<string, Json> };
    for (const [id, def] of Object.entries($defs ?? {})) this.components[id] = rewriteRefs(def) as Json;
    const out = rewriteRefs(rest) as Json;
    // A root schema that is itself a component comes back as its definition plus an id.
    if (typeof out.id === 'string') {
      const { id, ...def } = out;
      this.components[id] = def;
      return { $ref: `#/components/schemas/${id}` };
    }
    return out;
  }
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(v)]),
    );
  }
  return value;
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

const SECURITY: Record<Exclude<AnyRoute['auth'], 'face'>, Json[]> = {
  secret: [{ secretKey: [] }],
  publishable: [{ secretKey: [] }, { publishableKey: [] }],
  admin: [{ adminToken: [] }],
  session: [{ dashboardSession: [] }],
  none: [],
};

/** A route's credentials: Sandpay's kinds, or its face's scheme. */
const securityOf = (route: AnyRoute): Json[] => (route.auth === 'face' ? [{ [route.face!.security.name]: [] }] : SECURITY[route.auth]);

/** The name of a route's error shape: Sandpay's `Error`, or its face's error schema's id. */
const errorShape = (route: AnyRoute): string => (route.face ? String(route.face.errorSchema.meta()?.id) : 'Error');

/** The gateway faces the routes belong to, in the order they first appear. */
const facesOf = (routes: readonly AnyRoute[]): HttpFace[] => [...new Set(routes.flatMap((r) => (r.face ? [r.face] : [])))];

function parameters(route: AnyRoute, schemas: SchemaSet): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = schemas.convert(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
    }
  }
  const keyed = route.auth === 'secret' || route.auth === 'publishable' || (route.auth === 'face' && route.face!.idempotencyKey);
  const tenantWrite = route.write && route.idempotency !== 'none' && keyed;
  if (tenantWrite) {
    out.push({
      name: 'Idempotency-Key', in: 'header', required: route.idempotency === 'required',
      description: 'Retrying with the same key replays the stored answer byte-for-byte (Idempotent-Replayed: true); kept 24 h.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  if (route.auth === 'secret' || route.auth === 'publishable') {
    out.push({
      name: 'Sandpay-Fault', in: 'header', required: false,
      description: 'Test your retries: `latency=<ms>`, `status=500|502|503|504`, `reset`, `timeout`, or `after_commit=<status>` (do the work, commit, then answer the error). Several join with commas; an empty value turns off the tenant\'s random faults for this call.',
      schema: { type: 'string', maxLength: 200 },
    });
  }
  return out;
}

/** Restricted keys and service tokens, on the routes that declare a permission. */
const NARROW_SECURITY: Json[] = [{ restrictedKey: [] }, { serviceToken: [] }];

/** What a narrow credential needs on a tenant route (the route table's `permission`). */
function accessNote(route: AnyRoute): string | undefined {
  if (route.auth !== 'secret' && route.auth !== 'publishable') return undefined;
  if (!route.permission) return 'Secret key only: restricted keys and service tokens get a 403 `secret_key_required`.';
  return `Restricted keys and service tokens need \`${permissionName(route.permission)}\` (else a 403 \`missing_permission\`).`;
}

function operation(route: AnyRoute, schemas: SchemaSet): Json {
  const status = String(route.status ?? 200);
  const content = route.produces && route.produces !== 'application/json'
    ? { [route.produces]: { schema: { type: 'string' } } }
    : { 'application/json': { schema: schemas.convert(route.response, 'output') } };
  const responses: Json = { [status]: { description: route.summary, content } };
  const shape = errorShape(route);
  for (const st of errorStatuses(route)) responses[String(st)] = { $ref: `#/components/responses/${shape}${st}` };
  const access = accessNote(route);
  const description = [route.description, access].filter(Boolean).join('\n\n');
  return {
    operationId: `${route.method}${route.path.replace(/^\/api\/v1/, '').replace(/[:/{}-]+(\w)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: route.summary,
    ...(description ? { description } : {}),
    tags: [route.tag],
    security: route.permission ? [...securityOf(route), ...NARROW_SECURITY] : securityOf(route),
    ...(route.permission ? { 'x-permission': permissionName(route.permission) } : {}),
    parameters: parameters(route, schemas),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemas.convert(route.body, 'input'), ...(route.example ? { example: route.example } : {}) } } } }
      : {}),
    responses,
  };
}

/**
 * The reference's opening page: the README's walk-through, as curl, against `serverUrl` (the
 * origin the document is served from, so the commands work as pasted). Port 4000 is the
 * reader's own webhook receiver, and the text says so.
 */
export const introduction = (serverUrl: string) => `A payment gateway simulator: orders, payments, refunds, signed webhooks, fraud rules and an audit
trail. Authenticate with \`Authorization: Bearer sk_test_…\`. Lists page with \`limit\`, \`starting_after\` and
\`ending_before\`, newest first. Every error is \`{"error": {"type", "code", "message", "param"?, "request_id"}}\`.

\`\`\`sh
B=${serverUrl}/api/v1
# Register: the answer holds sk_test_ (secret), pk_test_ (publishable) and whsec_ (webhook secret), shown once.
curl -s -X POST $B/auth/register -H 'Content-Type: application/json' -d '{"name":"My Shop","email":"dev@example.com"}'
SK=sk_test_...
# Subscribe your webhook receiver's URL (its own whsec_ comes back once); to run one on port 4000:
# npm run webhook-receiver -- --port 4000 --secret whsec_...
curl -s -X POST $B/webhook-endpoints -H "Authorization: Bearer $SK" -H 'Content-Type: application/json' \\
  -d '{"url":"http://127.0.0.1:4000/hooks","events":["*"]}'
# Create a payment: Idempotency-Key is required, so a retry never charges twice.
curl -s -X POST $B/payments -H "Authorization: Bearer $SK" -H 'Content-Type: application/json' \\
  -H 'Idempotency-Key: order-1042-attempt-1' \\
  -d '{"amount":5000,"currency":"INR","method":"card","card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"}}'
# Decline on purpose, refund, look around.
curl -s -X POST $B/payments -H "Authorization: Bearer $SK" -H 'Content-Type: application/json' \\
  -H 'Idempotency-Key: k2' -d '{"amount":5000,"currency":"INR","method":"upi","vpa":"failure@sandpay"}'
curl -s -X POST $B/payments/pay_.../refunds -H "Authorization: Bearer $SK" -H 'Content-Type: application/json' -d '{"amount":2000}'
curl -s "$B/events?limit=5" -H "Authorization: Bearer $SK"
curl -s $B/audit/verify -H "Authorization: Bearer $SK"
\`\`\`

Every operation below shows its own curl example.`;

/** The OpenAPI 3.1 document of the route table, with every webhook event body under `webhooks`. */
export function buildOpenApi(routes: readonly AnyRoute[], serverUrl = 'http://127.0.0.1:3000'): Json {
  routes = routes.filter((r) => r.face?.documented !== false);
  const schemas = new SchemaSet();
  const faces = facesOf(routes);
  schemas.convert(errorSchema, 'output');
  for (const face of faces) schemas.convert(face.errorSchema, 'output');
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route, schemas);
  }
  const webhooks: Record<string, Json> = {};
  for (const type of EVENT_TYPES) {
    const object = EVENT_OBJECTS.find(([prefix]) => type.startsWith(prefix))?.[1] ?? z.looseObject({ id: z.string(), object: z.string() });
    webhooks[type] = {
      post: {
        summary: `${type} event`,
        description: 'Signed with the endpoint secret: `webhook-id`, `webhook-timestamp` and `webhook-signature` (Standard Webhooks), plus `X-Sandpay-Signature`.',
        requestBody: { content: { 'application/json': { schema: schemas.convert(eventObject(object, [type]), 'output') } } },
        responses: { '200': { description: 'Any 2xx acknowledges the delivery; anything else is retried' } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sandpay API',
      version: API_VERSION,
      description: introduction(serverUrl),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    webhooks,
    components: {
      schemas: schemas.components,
      // One shared answer per error shape and status: every error of a shape looks the same.
      responses: Object.fromEntries(
        routes.flatMap((r) => errorStatuses(r).map((st) => `${errorShape(r)}${st}`))
          .filter((name, i, all) => all.indexOf(name) === i)
          .sort()
          .map((name) => {
            const st = Number(name.replace(/\D+/, ''));
            return [name, { description: STATUS_TEXT[st] ?? 'Error', content: { 'application/json': { schema: { $ref: `#/components/schemas/${name.replace(/\d+$/, '')}` } } } }];
          }),
      ),
      securitySchemes: {
        secretKey: { type: 'http', scheme: 'bearer', description: 'Your secret key, sk_test_…' },
        ...Object.fromEntries(faces.map((f) => [f.security.name, f.security.scheme])),
        publishableKey: { type: 'http', scheme: 'bearer', description: 'Your publishable key, pk_test_… (browser checkout: POST /payments only)' },
        restrictedKey: { type: 'http', scheme: 'bearer', description: 'A restricted key, rk_test_… (POST /api/v1/auth/keys): only the routes whose x-permission it holds' },
        serviceToken: {
          type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
          description: 'A service token: a JWT your backend signs with a key registered at POST /api/v1/auth/jwt-keys (iss: tenant id, aud: this URL, exp ≤ 15 min, iat, jti, scope)',
        },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The operator token (ADMIN_TOKEN)' },
        dashboardSession: {
          type: 'apiKey', in: 'cookie', name: 'sandpay_session',
          description: 'A dashboard session (POST /api/v1/dashboard/session). It also works wherever the secret key (tenant session) or the admin token (operator session) does; every request but GET must then send X-CSRF-Token.',
        },
      },
    },
  };
}

/** The document as committed in openapi.json: stable formatting, so a stale file shows in a diff. */
export const openApiText = (routes: readonly AnyRoute[]) => `${JSON.stringify(buildOpenApi(routes), null, 2)}\n`;

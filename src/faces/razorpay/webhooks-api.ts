import { z } from 'zod';
import { notFound } from '../../core/errors.ts';
import type { Queryable } from '../../db/pool.ts';
import { checkTargetUrl, createEndpoint, deleteEndpoint, rotateEndpointSecret, updateEndpoint } from '../../webhooks/endpoints.ts';
import { webhookUrlSchema } from '../../webhooks/schemas.ts';
import { getEndpoint, listEndpoints, type DbEndpoint } from '../../webhooks/store.ts';
import { idParam, route } from '../../routing/route.ts';
import { accountIdOf, RAZORPAY_EVENTS } from './events.ts';
import { razorpayHttpFace } from './http-face.ts';
import { ownListQuery, unix } from './own-objects.ts';
import { collectionOf } from './schemas.ts';

/**
 * The SDK's `webhooks` resource over Sandpay's webhook endpoints: only `format: "razorpay"`
 * endpoints are seen here, by their Sandpay ids (we_…), the same endpoints the native API and the
 * dashboard show. /v1 is the merchant's own API; /v2/accounts/:account_id is the partner API, of
 * which the only account here is the tenant's own (acc_…, as its events' account_id says).
 */

const FORMAT = 'razorpay';
// Sandpay has no failure alert mail and no column for one: the address is kept in the endpoint's
// description under this label, so a native description never reads as an alert_email.
const ALERT_LABEL = 'alert_email: ';

const truthy = z.union([z.boolean(), z.literal(1), z.literal(0), z.enum(['1', '0', 'true', 'false'])]).transform((v) => v === true || v === 1 || v === '1' || v === 'true');

/** Razorpay's event names; as an array (v2) or a map of name → on (the v1 form: {"payment.captured": true}). */
const eventsInput = z
  .union([z.array(z.string()), z.record(z.string(), truthy)], { error: 'The events field must be an array of event names.' })
  .transform((v, ctx) => {
    const names = [...new Set(Array.isArray(v) ? v : Object.entries(v).filter(([, on]) => on).map(([k]) => k))];
    const unknown = names.filter((n) => !(RAZORPAY_EVENTS as readonly string[]).includes(n));
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `${unknown.join(', ')} is/are not a valid event name(s)` });
    if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'The events field is required.' });
    return names;
  });

const fields = {
  url: webhookUrlSchema.meta({ description: 'Where the events are POSTed' }),
  alert_email: z.email({ error: 'The alert email must be a valid email address.' }).max(254 - ALERT_LABEL.length),
  secret: z.string().regex(/^[\x21-\x7e]{1,256}$/, 'The secret must be 1 to 256 printable characters without spaces.'),
  events: eventsInput,
  active: truthy,
};
const createBody = z.strictObject({
  url: fields.url, events: fields.events, alert_email: fields.alert_email.optional(), secret: fields.secret.optional(), active: fields.active.optional(),
});
const editBody = z.strictObject({
  url: fields.url.optional(), events: fields.events.optional(), alert_email: fields.alert_email.optional(), secret: fields.secret.optional(), active: fields.active.optional(),
});

export const rzpWebhookObject = z
  .strictObject({
    id: z.string(), created_at: z.number().int(), updated_at: z.number().int(), service: z.string(), owner_id: z.string(), owner_type: z.literal('merchant'),
    context: z.array(z.string()), disabled_at: z.number().int(), url: z.string(), alert_email: z.string().nullable(), secret_exists: z.literal(true),
    entity: z.literal('webhook'), active: z.boolean(), events: z.array(z.string()),
  })
  .meta({ id: 'RazorpayWebhook' });

function rzpWebhook(e: DbEndpoint): z.output<typeof rzpWebhookObject> {
  const alert = e.description?.startsWith(ALERT_LABEL) ? e.description.slice(ALERT_LABEL.length) : null;
  return {
    id: e.id, created_at: unix(e.created_at), updated_at: unix(e.updated_at), service: 'sandpay', owner_id: accountIdOf(e.tenant_id).replace(/^acc_/, ''), owner_type: 'merchant',
    context: [], disabled_at: e.enabled ? 0 : unix(e.updated_at), url: e.url, alert_email: alert,
    // Sandpay signs every delivery: an endpoint created without a secret has a generated one.
    secret_exists: true, entity: 'webhook', active: e.enabled, events: e.events,
  };
}

/** One of the tenant's Razorpay-format endpoints; an endpoint of another format is not found here. */
async function razorpayEndpoint(db: Queryable, tenantId: string, id: string, lock = false): Promise<DbEndpoint> {
  const e = await getEndpoint(db, tenantId, id, lock);
  if (e.format !== FORMAT) throw notFound('webhook');
  return e;
}

/** The partner API's account: only the tenant's own; any other id does not exist. */
function ownAccount(accountId: string, tenantId: string): void {
  if (accountId !== accountIdOf(tenantId)) throw notFound('account', 'account_id');
}

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const webhookId = idParam('webhookEndpoint', 'webhook');
const account = z.strictObject({ account_id: z.string().max(64) });
const accountWebhook = z.strictObject({ account_id: z.string().max(64), id: webhookId });
const listQuery = ownListQuery({});
const example = { url: 'https://example.com/razorpay/hooks', secret: 'my-webhook-secret', events: ['payment.captured', 'refund.processed'] };

type CreateBody = z.output<typeof createBody>;
type EditBody = z.output<typeof editBody>;
const createInput = (b: CreateBody) => ({
  url: b.url, events: b.events, format: FORMAT, enabled: b.active ?? true, secret: b.secret, description: b.alert_email === undefined ? undefined : `${ALERT_LABEL}${b.alert_email}`,
});
const patchOf = (b: EditBody) => ({
  url: b.url, events: b.events, enabled: b.active, description: b.alert_email === undefined ? undefined : `${ALERT_LABEL}${b.alert_email}`,
});
const checkUrl = ({ body, svc }: { body: { url?: string | undefined }; svc: { config: { webhooks: { allowPrivate: boolean } } } }) =>
  body.url === undefined ? Promise.resolve() : checkTargetUrl(body.url, svc.config.webhooks.allowPrivate);

export const webhookApiRoutes = [
  // ----- /v1: the merchant's own webhooks -----
  route({
    ...base, method: 'post', path: '/v1/webhooks', write: true, summary: 'Create a webhook (Razorpay)',
    description: 'A `format: "razorpay"` webhook endpoint; `events` as an array of names or a map of name → true.',
    body: createBody, response: rzpWebhookObject, example, prepare: checkUrl,
    handler: async ({ svc, t, ctx, body }) => rzpWebhook(await createEndpoint(t, svc, ctx, createInput(body))),
  }),
  route({
    ...base, method: 'get', path: '/v1/webhooks', summary: 'All webhooks (Razorpay)', query: listQuery, response: collectionOf(rzpWebhookObject),
    handler: async ({ db, ctx, query: q }) => {
      const items = await listEndpoints(db, ctx.tenant.id, q, rzpWebhook, FORMAT);
      return { entity: 'collection' as const, count: items.length, items };
    },
  }),
  route({
    ...base, method: 'put', path: '/v1/webhooks/:id', write: true, summary: 'Edit a webhook (Razorpay)', params: z.strictObject({ id: webhookId }), body: editBody,
    response: rzpWebhookObject, example: { url: 'https://example.com/razorpay/hooks', events: ['payment.captured'] }, prepare: checkUrl,
    handler: async ({ svc, t, ctx, params: p, body }) => {
      await razorpayEndpoint(t, ctx.tenant.id, p.id, true);
      if (body.secret !== undefined) await rotateEndpointSecret(t, svc, ctx, p.id, body.secret);
      return rzpWebhook(await updateEndpoint(t, svc, ctx, p.id, patchOf(body)));
    },
  }),

  // ----- /v2/accounts/:account_id: the partner API, for the tenant's own account -----
  route({
    ...base, method: 'post', path: '/v2/accounts/:account_id/webhooks', write: true, summary: "Create an account's webhook (Razorpay)", params: account,
    body: createBody, response: rzpWebhookObject, example, prepare: checkUrl,
    handler: async ({ svc, t, ctx, params: p, body }) => {
      ownAccount(p.account_id, ctx.tenant.id);
      return rzpWebhook(await createEndpoint(t, svc, ctx, createInput(body)));
    },
  }),
  route({
    ...base, method: 'get', path: '/v2/accounts/:account_id/webhooks', summary: "An account's webhooks (Razorpay)", params: account, query: listQuery, response: collectionOf(rzpWebhookObject),
    handler: async ({ db, ctx, params: p, query: q }) => {
      ownAccount(p.account_id, ctx.tenant.id);
      const items = await listEndpoints(db, ctx.tenant.id, q, rzpWebhook, FORMAT);
      return { entity: 'collection' as const, count: items.length, items };
    },
  }),
  route({
    ...base, method: 'get', path: '/v2/accounts/:account_id/webhooks/:id', summary: "Fetch an account's webhook (Razorpay)", params: accountWebhook, response: rzpWebhookObject,
    handler: async ({ db, ctx, params: p }) => {
      ownAccount(p.account_id, ctx.tenant.id);
      return rzpWebhook(await razorpayEndpoint(db, ctx.tenant.id, p.id));
    },
  }),
  route({
    ...base, method: 'patch', path: '/v2/accounts/:account_id/webhooks/:id', write: true, summary: "Edit an account's webhook (Razorpay)", params: accountWebhook,
    body: editBody, response: rzpWebhookObject, example: { url: 'https://example.com/razorpay/hooks', events: ['refund.created'] }, prepare: checkUrl,
    handler: async ({ svc, t, ctx, params: p, body }) => {
      ownAccount(p.account_id, ctx.tenant.id);
      await razorpayEndpoint(t, ctx.tenant.id, p.id, true);
      if (body.secret !== undefined) await rotateEndpointSecret(t, svc, ctx, p.id, body.secret);
      return rzpWebhook(await updateEndpoint(t, svc, ctx, p.id, patchOf(body)));
    },
  }),
  route({
    ...base, method: 'delete', path: '/v2/accounts/:account_id/webhooks/:id', write: true, summary: "Delete an account's webhook (Razorpay)", params: accountWebhook,
    response: z.array(z.never()).max(0).meta({ description: 'Razorpay answers an empty array' }),
    handler: async ({ svc, t, ctx, params: p }) => {
      ownAccount(p.account_id, ctx.tenant.id);
      await razorpayEndpoint(t, ctx.tenant.id, p.id, true);
      await deleteEndpoint(t, svc, ctx, p.id);
      return [];
    },
  }),
];

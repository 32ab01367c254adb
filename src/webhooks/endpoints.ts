import type { Tx } from '../db/pool.ts';
import { auditIn } from '../audit/append.ts';
import { badRequest } from '../core/errors.ts';
import { newId } from '../ids.ts';
import type { Ctx } from '../tenants/types.ts';
import { generateWebhookSecret } from '../tenants/keys.ts';
import { eventNotInFormat, type EndpointInput, type EndpointObject, type EndpointPatch } from './schemas.ts';
import { redactUrl } from '../core/redact.ts';
import { assertUrlAllowed, BlockedUrlError } from './ssrf.ts';
import type { WebhookServices } from './services.ts';
import { getEndpoint, insertEndpoint, patchEndpoint, setEndpointSecret, softDeleteEndpoint, type DbEndpoint } from './store.ts';

export type { DbEndpoint };

/** Without the secret: it is shown only on creation and rotation. */
export function endpointView(e: DbEndpoint): EndpointObject {
  return {
    id: e.id,
    object: 'webhook_endpoint',
    url: e.url,
    events: e.events,
    format: e.format,
    description: e.description,
    enabled: e.enabled,
    disabled_reason: e.disabled_reason,
    created_at: e.created_at.toISOString(),
    updated_at: e.updated_at.toISOString(),
  };
}

/**
 * The SSRF guard for a webhook target. It resolves DNS, so callers run it before their
 * transaction opens: a slow resolver must never hold a lock or a pooled connection.
 */
export async function checkTargetUrl(url: string, allowPrivate: boolean, param = 'url'): Promise<void> {
  try {
    await assertUrlAllowed(url, allowPrivate);
  } catch (err) {
    if (err instanceof BlockedUrlError) throw badRequest('url_not_allowed', `${param} ${err.message}`, param);
    throw err;
  }
}

/** `apiVersion`: for a face whose API has versions, the one the endpoint's bodies are pinned to. */
export async function createEndpoint(t: Tx, svc: Pick<WebhookServices, 'audit'>, ctx: Ctx, input: EndpointInput, apiVersion: string | null = null): Promise<DbEndpoint> {
  const e = await insertEndpoint(t, {
    id: newId('webhookEndpoint'), tenantId: ctx.tenant.id, url: input.url, events: input.events, description: input.description ?? null,
    enabled: input.enabled ?? true, secret: input.secret ?? generateWebhookSecret(), format: input.format, apiVersion,
  });
  auditIn(t, svc, ctx, { objectType: 'webhook_endpoint', objectId: e.id, action: 'webhook_endpoint.created', metadata: { url: redactUrl(e.url), events: e.events, format: e.format } });
  return e;
}

export async function updateEndpoint(t: Tx, svc: Pick<WebhookServices, 'audit' | 'webhookFaces'>, ctx: Ctx, id: string, patch: EndpointPatch): Promise<DbEndpoint> {
  const before = await getEndpoint(t, ctx.tenant.id, id, true);
  const bad = patch.events && eventNotInFormat(svc.webhookFaces, before.format, patch.events);
  if (bad) throw badRequest('parameter_invalid', `Invalid events.${bad.index}: ${bad.message}`, `events.${bad.index}`);
  const e = await patchEndpoint(t, id, patch);
  auditIn(t, svc, ctx, {
    objectType: 'webhook_endpoint',
    objectId: id,
    action: 'webhook_endpoint.updated',
    metadata: {
      // The audit log is kept for ever and cannot be edited: a token in a URL's query is not kept in it.
      before: { url: redactUrl(before.url), events: before.events, enabled: before.enabled },
      after: { url: redactUrl(e.url), events: e.events, enabled: e.enabled },
    },
  });
  return e;
}

export async function deleteEndpoint(t: Tx, svc: Pick<WebhookServices, 'audit'>, ctx: Ctx, id: string): Promise<void> {
  await getEndpoint(t, ctx.tenant.id, id, true);
  await softDeleteEndpoint(t, id);
  auditIn(t, svc, ctx, { objectType: 'webhook_endpoint', objectId: id, action: 'webhook_endpoint.deleted' });
}

/** A new generated secret, or `secret` where the face lets the integration choose its own (Razorpay's webhook edit). */
export async function rotateEndpointSecret(t: Tx, svc: Pick<WebhookServices, 'audit'>, ctx: Ctx, id: string, secret = generateWebhookSecret()): Promise<DbEndpoint> {
  await getEndpoint(t, ctx.tenant.id, id, true);
  const e = await setEndpointSecret(t, id, secret);
  auditIn(t, svc, ctx, { objectType: 'webhook_endpoint', objectId: id, action: 'webhook_endpoint.secret_rotated' });
  return e;
}

import type { Queryable, Tx } from '../db/pool.ts';
import { auditIn } from '../audit/append.ts';
import { badRequest } from '../core/errors.ts';
import { ownedRow } from '../db/owned.ts';
import { newId } from '../ids.ts';
import type { Ctx, Services } from '../services.ts';
import { generateWebhookSecret } from '../tenants/keys.ts';
import { eventNotInFormat, type EndpointInput, type EndpointObject, type EndpointPatch } from './schemas.ts';
import { redactUrl } from '../core/redact.ts';
import { assertUrlAllowed, BlockedUrlError } from './ssrf.ts';

export interface DbEndpoint {
  id: string;
  tenant_id: string;
  url: string;
  events: string[];
  format: string;
  description: string | null;
  enabled: boolean;
  secret: string;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

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

export async function createEndpoint(t: Tx, svc: Services, ctx: Ctx, input: EndpointInput): Promise<DbEndpoint> {
  const e = await t.one<DbEndpoint>(
    `INSERT INTO webhook_endpoints (id, tenant_id, url, events, description, enabled, secret, format)
     VALUES ($1::text, $2::text, $3::text, $4::text[], $5::text, $6::boolean, $7::text, $8::text) RETURNING *`,
    [newId('webhookEndpoint'), ctx.tenant.id, input.url, input.events, input.description ?? null, input.enabled ?? true, input.secret ?? generateWebhookSecret(), input.format],
  );
  auditIn(t, svc, ctx, { objectType: 'webhook_endpoint', objectId: e.id, action: 'webhook_endpoint.created', metadata: { url: redactUrl(e.url), events: e.events, format: e.format } });
  return e;
}

/** One of the tenant's endpoints, not deleted (locked when `lock`); 404 naming `param` when the id came in a body field. */
export async function getEndpoint(db: Queryable, tenantId: string, id: string, lock = false, param?: string): Promise<DbEndpoint> {
  return ownedRow<DbEndpoint>(db, 'webhook_endpoints', tenantId, id, { what: 'webhook endpoint', lock, param });
}

export async function updateEndpoint(t: Tx, svc: Services, ctx: Ctx, id: string, patch: EndpointPatch): Promise<DbEndpoint> {
  const before = await getEndpoint(t, ctx.tenant.id, id, true);
  const bad = patch.events && eventNotInFormat(svc.webhookFaces, before.format, patch.events);
  if (bad) throw badRequest('parameter_invalid', `Invalid events.${bad.index}: ${bad.message}`, `events.${bad.index}`);
  const e = await t.one<DbEndpoint>(
    `UPDATE webhook_endpoints SET
        url = coalesce($2::text, url),
        events = coalesce($3::text[], events),
        description = CASE WHEN $4::boolean THEN $5::text ELSE description END,
        enabled = coalesce($6::boolean, enabled),
        -- re-enabling clears why it was disabled
        disabled_reason = CASE WHEN $6::boolean THEN NULL ELSE disabled_reason END,
        updated_at = now()
      WHERE id = $1::text RETURNING *`,
    [id, patch.url ?? null, patch.events ?? null, patch.description !== undefined, patch.description ?? null, patch.enabled ?? null],
  );
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

export async function deleteEndpoint(t: Tx, svc: Services, ctx: Ctx, id: string): Promise<void> {
  await getEndpoint(t, ctx.tenant.id, id, true);
  // Soft delete: past deliveries keep their endpoint; new events no longer fan out to it.
  await t.rows('UPDATE webhook_endpoints SET deleted_at = now(), enabled = false, updated_at = now() WHERE id = $1::text', [id]);
  auditIn(t, svc, ctx, { objectType: 'webhook_endpoint', objectId: id, action: 'webhook_endpoint.deleted' });
}

export async function rotateEndpointSecret(t: Tx, svc: Services, ctx: Ctx, id: string): Promise<DbEndpoint> {
  await getEndpoint(t, ctx.tenant.id, id, true);
  const e = await t.one<DbEndpoint>('UPDATE webhook_endpoints SET secret = $2::text, updated_at = now() WHERE id = $1::text RETURNING *', [id, generateWebhookSecret()]);
  auditIn(t, svc, ctx, { objectType: 'webhook_endpoint', objectId: id, action: 'webhook_endpoint.secret_rotated' });
  return e;
}

import { DomainError } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import type { Ctx, Services } from '../../services.ts';
import { createEndpoint, deleteEndpoint, updateEndpoint, type DbEndpoint } from '../../webhooks/endpoints.ts';
import { getEndpoint, listEndpoints } from '../../webhooks/store.ts';
import { withCursors } from './cursors.ts';
import { noSuch } from './errors.ts';
import { mergeMetadata, unix, type MetadataPatch } from './schemas.ts';
import { setWebhookEndpointMetadata, webhookEndpointMetadata } from './store.ts';

/**
 * Stripe's WebhookEndpoints are Sandpay's webhook endpoints of format `stripe` (src/webhooks):
 * the same outbox, retries, dead-letter queue and replay, and visible in the dashboard. What only
 * Stripe has, the metadata, is the face's own (store.ts); the pinned api_version is the
 * endpoint's, as every attempt reads it. An endpoint of another format is not one of these.
 */

type Json = Record<string, unknown>;

export const FORMAT = 'stripe';

export function webhookEndpointObject(e: DbEndpoint, metadata: Record<string, string>): Json {
  return {
    id: e.id,
    object: 'webhook_endpoint',
    api_version: e.api_version,
    application: null,
    created: unix(e.created_at),
    // Stripe's "" unsets a description; Sandpay keeps it as "".
    description: e.description || null,
    enabled_events: e.events,
    livemode: false,
    metadata,
    status: e.enabled ? 'enabled' : 'disabled',
    url: e.url,
  };
}

/** One of the tenant's Stripe-format endpoints (locked when `lock`); anything else is Stripe's 404. */
export async function endpointRow(db: Queryable, tenantId: string, id: string, lock = false): Promise<DbEndpoint> {
  try {
    const e = await getEndpoint(db, tenantId, id, lock);
    if (e.format === FORMAT) return e;
  } catch (err) {
    if (!(err instanceof DomainError && err.kind === 'not_found')) throw err;
  }
  throw noSuch('webhook_endpoint', id);
}

async function metadataOf(db: Queryable, tenantId: string, ids: string[]): Promise<Map<string, Record<string, string>>> {
  const rows = ids.length ? await webhookEndpointMetadata(db, tenantId, ids) : [];
  return new Map(rows.map((r) => [r.id, r.metadata] as const));
}

export async function endpointObject(db: Queryable, tenantId: string, e: DbEndpoint): Promise<Json> {
  return webhookEndpointObject(e, (await metadataOf(db, tenantId, [e.id])).get(e.id) ?? {});
}

export interface EndpointCreate {
  url: string;
  enabled_events: string[];
  api_version?: string | undefined;
  description?: string | undefined;
  metadata?: MetadataPatch | undefined;
}

/** A new endpoint and its whsec_ secret (answered once). */
export async function createStripeEndpoint(t: Tx, svc: Services, ctx: Ctx, input: EndpointCreate): Promise<Json> {
  const e = await createEndpoint(t, svc, ctx, {
    url: input.url, events: [...new Set(input.enabled_events)], description: input.description || undefined, format: FORMAT,
  }, input.api_version ?? null);
  const metadata = mergeMetadata({}, input.metadata);
  if (Object.keys(metadata).length > 0) await setWebhookEndpointMetadata(t, ctx.tenant.id, e.id, metadata);
  return { ...webhookEndpointObject(e, metadata), secret: e.secret };
}

export interface EndpointUpdate {
  url?: string | undefined;
  enabled_events?: string[] | undefined;
  disabled?: boolean | undefined;
  description?: string | undefined;
  metadata?: MetadataPatch | undefined;
}

export async function updateStripeEndpoint(t: Tx, svc: Services, ctx: Ctx, id: string, input: EndpointUpdate): Promise<Json> {
  await endpointRow(t, ctx.tenant.id, id, true);
  const e = await updateEndpoint(t, svc, ctx, id, {
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.enabled_events !== undefined ? { events: [...new Set(input.enabled_events)] } : {}),
    ...(input.disabled !== undefined ? { enabled: !input.disabled } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  });
  let metadata = (await metadataOf(t, ctx.tenant.id, [id])).get(id) ?? {};
  if (input.metadata !== undefined) {
    metadata = mergeMetadata(metadata, input.metadata);
    await setWebhookEndpointMetadata(t, ctx.tenant.id, id, metadata);
  }
  return webhookEndpointObject(e, metadata);
}

export async function deleteStripeEndpoint(t: Tx, svc: Services, ctx: Ctx, id: string): Promise<Json> {
  await endpointRow(t, ctx.tenant.id, id, true);
  await deleteEndpoint(t, svc, ctx, id);
  return { id, object: 'webhook_endpoint', deleted: true };
}

/** A page of the tenant's Stripe-format endpoints, newest first; a cursor that is not one of them is Stripe's 404. */
export async function listStripeEndpoints(db: Queryable, tenantId: string, page: { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined }) {
  const rows = await withCursors('webhook_endpoint', page, (id) => id, (cursors) => listEndpoints(db, tenantId, { limit: page.limit, ...cursors }, (e) => e, FORMAT));
  const metadata = await metadataOf(db, tenantId, rows.data.map((e) => e.id));
  return { data: rows.data.map((e) => webhookEndpointObject(e, metadata.get(e.id) ?? {})), hasMore: rows.has_more };
}


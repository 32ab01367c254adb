import { auditIn } from '../audit/append.ts';
import { invalidateOnCommit } from '../tenants/caches.ts';
import { badRequest, conflict, notFound } from '../core/errors.ts';
import type { Queryable, Tx } from '../db/pool.ts';
import { newId, randomBase62, sha256Hex } from '../ids.ts';
import type { TenantServices } from '../tenants/services.ts';
import type { Ctx, DbTenant } from '../tenants/tenants.ts';
import { isApiKeyOf } from '../tenants/store.ts';
import { grant, type Permissions } from './permissions.ts';
import { tenantFromJson } from '../tenants/types.ts';
import { findRestrictedKeyRow, insertRestrictedKey, revokeRestrictedKeyRow, type DbRestrictedKey } from './store.ts';

/**
 * Restricted keys: rk_test_ keys that may call only the routes their permissions cover (each
 * route declares what it needs in the route table). Like the secret key, a restricted key is
 * shown once and stored as its SHA-256 hash; unlike it, it can be revoked on its own.
 */
export const RESTRICTED_PREFIX = 'rk_test_';

export const isRestrictedKey = (token: string) => token.startsWith(RESTRICTED_PREFIX);

export function restrictedKeyView(k: DbRestrictedKey) {
  return {
    object: 'api_key' as const,
    id: k.id,
    type: 'restricted' as const,
    name: k.name,
    hint: `${RESTRICTED_PREFIX}...${k.last4}`,
    // Every resource, whatever was stored: a resource added later reads as `none`.
    permissions: grant(k.permissions),
    created_at: k.created_at.toISOString(),
    expires_at: k.expires_at?.toISOString() ?? null,
    revoked_at: k.revoked_at?.toISOString() ?? null,
  };
}

export async function createRestrictedKey(
  t: Tx,
  svc: Pick<TenantServices, 'audit'>,
  ctx: Ctx,
  input: { name: string; permissions: Partial<Permissions>; expires_at?: Date | undefined },
) {
  if (input.expires_at && input.expires_at.getTime() <= Date.now()) {
    throw badRequest('parameter_invalid', 'Invalid expires_at: must be in the future', 'expires_at');
  }
  const secret = RESTRICTED_PREFIX + randomBase62(32);
  const row = await insertRestrictedKey(t, {
    id: newId('apiKey'), tenantId: ctx.tenant.id, name: input.name, keyHash: sha256Hex(secret), last4: secret.slice(-4),
    permissions: grant(input.permissions), expiresAt: input.expires_at ?? null,
  });
  auditIn(t, svc, ctx, {
    objectType: 'api_key', objectId: row.id, action: 'api_key.created',
    metadata: { type: 'restricted', name: row.name, permissions: row.permissions, expires_at: row.expires_at?.toISOString() ?? null },
  });
  return { ...restrictedKeyView(row), secret };
}

/** Revokes at once: the next request with the key is a 401. Revoking a revoked key answers it as it is. */
export async function revokeRestrictedKey(t: Tx, svc: Pick<TenantServices, 'audit' | 'caches'>, ctx: Ctx, id: string) {
  invalidateOnCommit(t, svc.caches, 'auth', ctx.tenant.id);
  const row = await revokeRestrictedKeyRow(t, ctx.tenant.id, id);
  if (!row) {
    if (await isApiKeyOf(t, ctx.tenant.id, id)) throw conflict('key_not_revocable', 'Secret, publishable and Razorpay keys are replaced with POST /api/v1/auth/keys/rotate, never only revoked', 'id');
    throw notFound('API key');
  }
  if (!row.was_revoked) auditIn(t, svc, ctx, { objectType: 'api_key', objectId: row.id, action: 'api_key.revoked', metadata: { type: 'restricted', name: row.name } });
  return restrictedKeyView(row);
}

/**
 * The hot path: one indexed lookup by hash, joined to the tenant, as for secret keys. Revoked and
 * expired keys never match.
 */
export async function findRestrictedKey(db: Queryable, token: string): Promise<{ key: DbRestrictedKey; tenant: DbTenant } | undefined> {
  const row = await findRestrictedKeyRow(db, sha256Hex(token));
  if (!row) return undefined;
  // to_jsonb turns timestamps into strings; restore the row types.
  const tenant = tenantFromJson(row.tenant);
  return { key: { ...row.key, permissions: grant(row.key.permissions) }, tenant };
}

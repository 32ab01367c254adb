import { forbidden, unauthenticated } from '../../core/errors.ts';
import type { Queryable } from '../../db/pool.ts';
import type { Principal, Restriction } from '../context.ts';
import type { VerifyingKey } from '../../core/public-keys.ts';
import { allows, permissionName, type Permission } from '../../credentials/permissions.ts';
import { findRestrictedKey, isRestrictedKey } from '../../credentials/restricted-keys.ts';
import { looksLikeJwt, verifyTenantToken } from '../../credentials/service-tokens.ts';
import { readThrough, type TenantCaches } from '../../tenants/caches.ts';
import { sha256Hex } from '../../ids.ts';

/** What verifying service tokens needs from the process. */
export interface TokenAuth {
  /** The `aud` tokens must carry: PUBLIC_URL, else the URL the server listens on (null until it does). */
  audience: () => string | null;
  /** ADMIN_JWT_PUBLIC_KEY, parsed (empty: operators use ADMIN_TOKEN only). */
  adminKeys: readonly VerifyingKey[];
}

type TenantPrincipal = Extract<Principal, { kind: 'tenant' }>;

/**
 * A restricted key (one lookup by hash, like the secret key) or a tenant's service token, as a
 * principal with its restriction; undefined for any other token, which the caller handles.
 */
export async function narrowPrincipal(db: Queryable, token: string, tokens: TokenAuth | undefined, caches?: TenantCaches): Promise<TenantPrincipal | undefined> {
  if (isRestrictedKey(token)) {
    // Through the key cache (dropped on revocation, see src/tenants/caches.ts), kept no longer than the key lives.
    const found = await readThrough(caches, 'auth', `rk:${sha256Hex(token)}`, async () => {
      const f = await findRestrictedKey(db, token);
      return f && { tenantId: f.tenant.id, value: f, expiresAt: f.key.expires_at ? new Date(f.key.expires_at).getTime() : undefined };
    });
    if (!found) throw unauthenticated('invalid_api_key', 'Invalid API key: unknown, revoked or expired');
    const restriction: Restriction = { type: 'restricted_key', id: found.key.id, permissions: found.key.permissions };
    return { kind: 'tenant', tenant: found.tenant, keyId: found.key.id, keyType: 'secret', restriction };
  }
  if (looksLikeJwt(token)) {
    const verified = await verifyTenantToken(db, caches, token, tokens?.audience() ?? null);
    const restriction: Restriction = { type: 'service_token', id: verified.credentialId, permissions: verified.permissions };
    return { kind: 'tenant', tenant: verified.tenant, keyId: verified.credentialId, keyType: 'secret', restriction };
  }
  return undefined;
}

const NAMES: Record<Restriction['type'], string> = { restricted_key: 'restricted key', service_token: 'service token' };

/**
 * A narrow credential may call a route only if the route declares a permission (in the route
 * table) and the credential holds it. Routes without one (credentials, settings) are the secret
 * key's alone, so a narrow credential can never widen itself.
 */
export function checkPermission(restriction: Restriction, permission: Permission | null): void {
  if (!permission) {
    throw forbidden('secret_key_required', `Only the secret key (sk_test_…) may call this route; a ${NAMES[restriction.type]} cannot manage credentials or settings`);
  }
  if (!allows(restriction.permissions, permission)) {
    throw forbidden('missing_permission', `This ${NAMES[restriction.type]} lacks the ${permissionName(permission)} permission`);
  }
}

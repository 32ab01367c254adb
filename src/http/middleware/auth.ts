import { realTimeOf } from '../../tenants/clock.ts';
import type { RequestHandler } from 'express';
import type { Db } from '../../db/pool.ts';
import { isId, sha256Hex, tokensEqual } from '../../ids.ts';
import { keyTypeOf, type KeyType } from '../../tenants/keys.ts';
import { findTenantByKey } from '../../tenants/store.ts';
import { forbidden, unauthenticated } from '../../core/errors.ts';
import { readThrough, type TenantCaches } from '../../tenants/caches.ts';
import type { Queryable } from '../../db/pool.ts';
import { checkPermission, narrowPrincipal, type TokenAuth } from './credentials.ts';
import { findRestrictedKey, isRestrictedKey } from '../../credentials/restricted-keys.ts';
import type { Permission } from '../../credentials/permissions.ts';
import { ADMIN_ISSUER, claimedIssuer, looksLikeJwt, verifyAdminToken, verifyTenantToken } from '../../credentials/service-tokens.ts';
import type { HttpFace } from '../../routing/face.ts';
import type { Services } from '../../services.ts';

/** What a missing or malformed Authorization header is told to send: operator routes name the admin token, which no API key stands in for. */
const EXPECTED = {
  key: { code: 'missing_api_key', missing: 'Provide your API key as "Authorization: Bearer sk_test_..."', form: '"Bearer <key>"' },
  admin: {
    code: 'missing_admin_token',
    missing: 'This route is for operators: send the admin token as "Authorization: Bearer <ADMIN_TOKEN>" (an API key does not work here)',
    form: '"Bearer <ADMIN_TOKEN>"',
  },
} as const;

function bearer(header: string | undefined, want: keyof typeof EXPECTED = 'key'): string {
  if (!header) throw unauthenticated(EXPECTED[want].code, EXPECTED[want].missing);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('invalid_authorization_header', `The Authorization header must be ${EXPECTED[want].form}`);
  return match[1]!;
}

/**
 * findTenantByKey through the per-process key cache: a key is looked up once, then answered from
 * memory until its tenant's keys or settings change (NOTIFY, migration 0015), its rotation grace
 * ends, or a minute passes. Unknown keys are not cached.
 */
function cachedKeyLookup(db: Queryable, caches: TenantCaches | undefined, token: string) {
  return readThrough(caches, 'auth', `key:${sha256Hex(token)}`, async () => {
    const found = await findTenantByKey(db, token);
    return found && { tenantId: found.tenant.id, value: found, expiresAt: found.revoked_at ? realTimeOf(found.tenant, found.revoked_at).getTime() : undefined };
  });
}

const isKeyType = (type: string): type is KeyType => type === 'secret' || type === 'publishable';

/**
 * Tenant auth. Secret keys work everywhere; publishable keys only where `allowPublishable`
 * (creating payments from a browser checkout); restricted keys and service tokens where they hold
 * the route's `permission` (null: nowhere). The admin token is not a tenant key. A gateway face's
 * key id (one of `faceKeyPrefixes`: checkout.js in that face's mode sends it from the page) is
 * public, and acts as the publishable key.
 */
export function tenantAuth(
  db: Db, caches: TenantCaches | undefined, opts: { allowPublishable?: boolean; permission?: Permission | null; tokens?: TokenAuth; faceKeyPrefixes?: readonly string[] } = {},
): RequestHandler {
  const isFaceKey = (token: string) => (opts.faceKeyPrefixes ?? []).some((prefix) => token.startsWith(prefix));
  return async (req, _res, next) => {
    const token = bearer(req.headers.authorization);
    const narrow = await narrowPrincipal(db, token, opts.tokens, caches);
    if (narrow) {
      if (narrow.tenant.disabled) throw forbidden('tenant_disabled', 'This tenant has been disabled by the operator');
      checkPermission(narrow.restriction!, opts.permission ?? null);
      req.principal = narrow;
      req.log = req.log.child({ tenant_id: narrow.tenant.id });
      return next();
    }
    if (!keyTypeOf(token) && !isFaceKey(token)) throw unauthenticated('invalid_api_key', 'Invalid API key: tenant keys start with sk_test_, pk_test_ or rk_test_ (or send a service token, a JWT)');
    const found = await cachedKeyLookup(db, caches, token);
    if (!found) throw unauthenticated('invalid_api_key', 'Invalid API key: unknown or revoked');
    // Any other type is a face's key pair, whose key id is public: it acts as the publishable key.
    const keyType = isKeyType(found.key_type) ? found.key_type : 'publishable';
    if (keyType === 'publishable' && !opts.allowPublishable) {
      throw forbidden('secret_key_required', 'This request needs your secret key (sk_test_...); publishable keys can only create payments and open checkout sessions');
    }
    if (found.tenant.disabled) throw forbidden('tenant_disabled', 'This tenant has been disabled by the operator');
    req.principal = {
      kind: 'tenant', tenant: found.tenant, keyId: found.key_id, keyType, ...(isKeyType(found.key_type) ? {} : { faceKey: { face: found.key_type, id: found.key_id } }),
    };
    req.log = req.log.child({ tenant_id: found.tenant.id });
    next();
  };
}

/** Operator auth with ADMIN_TOKEN. A valid tenant key here is a 403: authenticated, not allowed. */
export function adminAuth(db: Db, caches: TenantCaches | undefined, adminToken: string | undefined, tokens?: TokenAuth): RequestHandler {
  return async (req, _res, next) => {
    const token = bearer(req.headers.authorization, 'admin');
    if (adminToken && tokensEqual(token, adminToken)) {
      req.principal = { kind: 'admin' };
      return next();
    }
    if (looksLikeJwt(token)) {
      // An operator's service token (ADMIN_JWT_PUBLIC_KEY), or a tenant's: verified, then refused.
      const iss = claimedIssuer(token);
      if (iss !== undefined && isId('tenant', iss)) {
        await verifyTenantToken(db, caches, token, tokens?.audience() ?? null);
        throw forbidden('admin_only', 'This route is for operators; tenant service tokens cannot use it');
      }
      if (iss === ADMIN_ISSUER && tokens?.adminKeys.length) {
        req.principal = { kind: 'admin', tokenId: await verifyAdminToken(db, caches, token, tokens.adminKeys, tokens.audience()) };
        return next();
      }
      throw unauthenticated('invalid_admin_token', `Invalid admin token: operator service tokens need iss "${ADMIN_ISSUER}" and a key configured in ADMIN_JWT_PUBLIC_KEY`);
    }
    const tenantKey = keyTypeOf(token) ? await findTenantByKey(db, token) : isRestrictedKey(token) ? await findRestrictedKey(db, token) : undefined;
    if (tenantKey) {
      throw forbidden('admin_only', 'This route is for operators; tenant keys cannot use it');
    }
    // With DATABASE_URL and no ADMIN_TOKEN the admin API is off: say so rather than blame the token.
    const off = !adminToken && !tokens?.adminKeys.length;
    throw unauthenticated('invalid_admin_token', off ? 'Invalid admin token: this Sandpay has none configured (set ADMIN_TOKEN to turn the admin API on)' : 'Invalid admin token');
  };
}

/**
 * A gateway face's own credential on its routes (`auth: 'face'`): its `authenticate` on the
 * Authorization header, which acts as the tenant's secret key (Razorpay's HTTP Basic key pair).
 * Its errors carry the face's wording; the route's face gives them its shape.
 */
export function faceAuth(svc: Services, face: HttpFace): RequestHandler {
  return async (req, _res, next) => {
    if (!face.authenticate) throw new Error(`the ${face.name} face has no credential of its own: its routes take auth 'secret'`);
    const { faceKeyId, ...p } = await face.authenticate(svc, req.headers.authorization);
    req.principal = { kind: 'tenant', ...p, ...(faceKeyId !== undefined ? { faceKey: { face: face.name, id: faceKeyId } } : {}) };
    req.log = req.log.child({ tenant_id: p.tenant.id });
    next();
  };
}

import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Db } from '../../db/pool.ts';
import { sha256Hex } from '../../ids.ts';
import { keyTypeOf } from '../../tenants/keys.ts';
import { findTenantByKey } from '../../tenants/tenants.ts';
import { forbidden, unauthenticated } from '../errors.ts';

function bearer(header: string | undefined): string {
  if (!header) throw unauthenticated('missing_api_key', 'Provide your API key as "Authorization: Bearer sk_test_..."');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('invalid_authorization_header', 'The Authorization header must be "Bearer <key>"');
  return match[1]!;
}

/** Constant-time comparison of equal-length digests, so neither length nor prefix leaks. */
export function tokensEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(sha256Hex(a), 'hex'), Buffer.from(sha256Hex(b), 'hex'));
}

/**
 * Tenant auth. Secret keys work everywhere; publishable keys only where `allowPublishable`
 * (creating payments from a browser checkout). The admin token is not a tenant key.
 */
export function tenantAuth(db: Db, opts: { allowPublishable?: boolean } = {}): RequestHandler {
  return async (req, _res, next) => {
    const token = bearer(req.headers.authorization);
    const type = keyTypeOf(token);
    if (!type) throw unauthenticated('invalid_api_key', 'Invalid API key: tenant keys start with sk_test_ or pk_test_');
    const found = await findTenantByKey(db, token);
    if (!found) throw unauthenticated('invalid_api_key', 'Invalid API key: unknown or revoked');
    if (found.key_type === 'publishable' && !opts.allowPublishable) {
      throw forbidden('secret_key_required', 'This request needs your secret key (sk_test_...); publishable keys can only create payments');
    }
    if (found.tenant.disabled) throw forbidden('tenant_disabled', 'This tenant has been disabled by the operator');
    req.principal = { kind: 'tenant', tenant: found.tenant, keyId: found.key_id, keyType: found.key_type };
    req.log = req.log.child({ tenant_id: found.tenant.id });
    next();
  };
}

/** Operator auth with ADMIN_TOKEN. A valid tenant key here is a 403: authenticated, not allowed. */
export function adminAuth(db: Db, adminToken: string | undefined): RequestHandler {
  return async (req, _res, next) => {
    const token = bearer(req.headers.authorization);
    if (adminToken && tokensEqual(token, adminToken)) {
      req.principal = { kind: 'admin' };
      return next();
    }
    if (keyTypeOf(token) && (await findTenantByKey(db, token))) {
      throw forbidden('admin_only', 'This route is for operators; tenant keys cannot use it');
    }
    throw unauthenticated('invalid_admin_token', 'Invalid admin token');
  };
}

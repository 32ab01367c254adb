import { createHash } from 'node:crypto';
import { unauthenticated } from '../core/errors.ts';
import type { Db, Queryable } from '../db/pool.ts';
import { randomBase62, sha256Hex } from '../ids.ts';
import type { DbTenant } from '../tenants/tenants.ts';
import { findTenantByKey } from '../tenants/store.ts';
import { keyTypeOf } from '../tenants/keys.ts';
import { tenantFromJson } from '../tenants/types.ts';
import { insertSession, liveSession, type SessionKind } from './store.ts';

/**
 * Dashboard sessions. The browser gets a random token in an HttpOnly cookie; the database keeps
 * only its hash. A tenant session is bound to the secret key it signed in with, so it ends when
 * that key is rotated (or its roll period ends); an operator session is bound to the admin
 * token, so a new ADMIN_TOKEN ends it. Sessions expire after a fixed time and can be revoked
 * (sign-out). The CSRF token is derived from the cookie token: a page that cannot read the
 * cookie cannot compute it, and nothing more needs storing.
 */

export const SESSION_COOKIE = 'sandpay_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_HOURS = 12;

export type { SessionKind };

export interface DashboardSession {
  id: string;
  kind: SessionKind;
  tenantId: string | null;
  apiKeyId: string | null;
  expiresAt: Date;
  csrfToken: string;
}

export interface FoundSession extends DashboardSession {
  tenant: DbTenant | null;
}

const TOKEN_PATTERN = /^[0-9A-Za-z]{43}$/;

export const csrfTokenOf = (token: string) => createHash('sha256').update(`sandpay-csrf:${token}`).digest('base64url');

/** Signs in with a secret key (tenant) or the admin token (operator): a new session and its cookie token. */
export async function signIn(
  db: Db,
  credential: string,
  opts: { adminToken: string | undefined; userAgent: string | undefined; tokensEqual: (a: string, b: string) => boolean },
): Promise<{ token: string; session: FoundSession }> {
  let kind: SessionKind;
  let tenant: DbTenant | null = null;
  let apiKeyId: string | null = null;
  let adminHash: string | null = null;
  if (keyTypeOf(credential) === 'publishable') {
    throw unauthenticated('secret_key_required', 'Sign in with your secret key (sk_test_…); the publishable key only creates payments');
  }
  if (keyTypeOf(credential) === 'secret') {
    const found = await findTenantByKey(db, credential);
    if (!found) throw unauthenticated('invalid_api_key', 'That key is not valid: it may have been rotated. Check it and try again.');
    if (found.tenant.disabled) throw unauthenticated('tenant_disabled', 'This account has been disabled by the operator.');
    kind = 'tenant';
    tenant = found.tenant;
    apiKeyId = found.key_id;
  } else if (opts.adminToken && opts.tokensEqual(credential, opts.adminToken)) {
    kind = 'operator';
    adminHash = sha256Hex(opts.adminToken);
  } else {
    throw unauthenticated('invalid_credentials', 'That is neither a secret key (sk_test_…) nor the admin token. Check it and try again.');
  }
  const token = randomBase62(43);
  const id = `ds_${randomBase62(20)}`;
  const row = await insertSession(db, {
    id, tokenHash: sha256Hex(token), kind, tenantId: tenant?.id ?? null, apiKeyId, adminTokenHash: adminHash,
    userAgent: opts.userAgent?.slice(0, 300) ?? null, ttlHours: SESSION_TTL_HOURS,
  });
  return { token, session: { id, kind, tenantId: tenant?.id ?? null, apiKeyId, expiresAt: row.expires_at, csrfToken: csrfTokenOf(token), tenant } };
}

/**
 * The live session of a cookie token, in one indexed query: not expired, not revoked, its key
 * still valid (or its admin token still the current one). Undefined otherwise.
 */
export async function findSession(db: Queryable, token: string, adminToken: string | undefined): Promise<FoundSession | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const row = await liveSession(db, sha256Hex(token));
  if (!row) return undefined;
  if (row.kind === 'operator' && (!adminToken || row.admin_token_hash !== sha256Hex(adminToken))) return undefined;
  // to_jsonb turns timestamps into strings; restore the row type.
  const tenant = row.tenant ? tenantFromJson(row.tenant) : null;
  return { id: row.id, kind: row.kind, tenantId: row.tenant_id, apiKeyId: row.api_key_id, expiresAt: row.expires_at, csrfToken: csrfTokenOf(token), tenant };
}

export function sessionView(s: FoundSession | DashboardSession, tenant: DbTenant | null) {
  return {
    object: 'dashboard_session' as const,
    id: s.id,
    kind: s.kind,
    tenant: tenant ? { id: tenant.id, name: tenant.name, email: tenant.email } : null,
    csrf_token: s.csrfToken,
    expires_at: s.expiresAt.toISOString(),
  };
}

import { calculateJwkThumbprint } from 'jose';
import { auditIn } from '../audit/append.ts';
import { conflict, notFound } from '../core/errors.ts';
import { classifyDbError } from '../db/errors.ts';
import type { Queryable, Tx } from '../db/pool.ts';
import type { TenantServices } from '../tenants/services.ts';
import type { Ctx } from '../tenants/types.ts';
import { lockTenantKeys } from '../tenants/store.ts';
import { keyFromJwks, keyFromPem } from '../core/public-keys.ts';
import { countActiveJwtKeys, insertJwtKey, liveJwtKeys, revokeJwtKeyRow, type DbJwtKey } from './store.ts';

/** Enough for a key roll across several services; the list is answered in one page. */
const MAX_ACTIVE_KEYS = 20;

export const jwtKeyView = (k: DbJwtKey) => ({
  object: 'jwt_key' as const,
  kid: k.kid,
  alg: k.alg,
  thumbprint: k.thumbprint,
  jwk: { ...k.jwk, kty: k.jwk.kty ?? '' },
  created_at: k.created_at.toISOString(),
});

export async function registerJwtKey(t: Tx, svc: Pick<TenantServices, 'audit'>, ctx: Ctx, input: { kid: string; public_key?: string | undefined; jwks?: { keys: Array<Record<string, unknown>> } | undefined }) {
  const key = input.public_key !== undefined ? keyFromPem(input.public_key) : keyFromJwks(input.jwks!, input.kid);
  const thumbprint = await calculateJwkThumbprint(key.jwk as Parameters<typeof calculateJwkThumbprint>[0]);
  // Registrations of one tenant run one after another (the tenant row lock key creation and
  // rotation take): without it, concurrent ones all count the same keys and all insert, past
  // the limit. The count is a new statement, so after the wait it sees what the others committed.
  await lockTenantKeys(t, ctx.tenant.id);
  const active = await countActiveJwtKeys(t, ctx.tenant.id);
  if (active.n >= MAX_ACTIVE_KEYS) throw conflict('too_many_keys', `A tenant may have ${MAX_ACTIVE_KEYS} JWT keys at once; delete one first`, 'kid');
  let row: DbJwtKey;
  try {
    row = await insertJwtKey(t, { tenantId: ctx.tenant.id, kid: input.kid, alg: key.alg, jwk: key.jwk, thumbprint });
  } catch (err) {
    if (classifyDbError(err) === 'unique_violation') throw conflict('kid_taken', `A key with kid ${JSON.stringify(input.kid)} is registered already; delete it first or use another kid`, 'kid');
    throw err;
  }
  auditIn(t, svc, ctx, { objectType: 'jwt_key', objectId: row.kid, action: 'jwt_key.registered', metadata: { alg: row.alg, thumbprint } });
  return jwtKeyView(row);
}

export async function listJwtKeys(db: Queryable, tenantId: string) {
  const rows = await liveJwtKeys(db, tenantId);
  return { object: 'list' as const, data: rows.map(jwtKeyView), has_more: false, next_cursor: null };
}

/** Tokens signed with the key stop working at once (their next request is a 401 token_kid_unknown). */
export async function revokeJwtKey(t: Tx, svc: Pick<TenantServices, 'audit'>, ctx: Ctx, kid: string) {
  const row = await revokeJwtKeyRow(t, ctx.tenant.id, kid);
  if (!row) throw notFound('JWT key', 'kid');
  auditIn(t, svc, ctx, { objectType: 'jwt_key', objectId: row.kid, action: 'jwt_key.revoked', metadata: { thumbprint: row.thumbprint } });
  return { object: 'jwt_key' as const, kid: row.kid, deleted: true as const };
}

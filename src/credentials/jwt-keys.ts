import type { JsonWebKey } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { auditIn } from '../audit/append.ts';
import { conflict, notFound } from '../core/errors.ts';
import { classifyDbError } from '../db/errors.ts';
import type { Queryable, Tx } from '../db/pool.ts';
import type { Ctx, Services } from '../services.ts';
import { lockTenantKeys } from '../tenants/store.ts';
import { keyFromJwks, keyFromPem, type SigningAlg } from '../core/public-keys.ts';

/** Enough for a key roll across several services; the list is answered in one page. */
const MAX_ACTIVE_KEYS = 20;

export interface DbJwtKey {
  tenant_id: string;
  kid: string;
  alg: SigningAlg;
  jwk: JsonWebKey;
  thumbprint: string;
  created_at: Date;
  revoked_at: Date | null;
}

export const jwtKeyView = (k: DbJwtKey) => ({
  object: 'jwt_key' as const,
  kid: k.kid,
  alg: k.alg,
  thumbprint: k.thumbprint,
  jwk: { ...k.jwk, kty: k.jwk.kty ?? '' },
  created_at: k.created_at.toISOString(),
});

export async function registerJwtKey(t: Tx, svc: Services, ctx: Ctx, input: { kid: string; public_key?: string | undefined; jwks?: { keys: Array<Record<string, unknown>> } | undefined }) {
  const key = input.public_key !== undefined ? keyFromPem(input.public_key) : keyFromJwks(input.jwks!, input.kid);
  const thumbprint = await calculateJwkThumbprint(key.jwk as Parameters<typeof calculateJwkThumbprint>[0]);
  // Registrations of one tenant run one after another (the tenant row lock key creation and
  // rotation take): without it, concurrent ones all count the same keys and all insert, past
  // the limit. The count is a new statement, so after the wait it sees what the others committed.
  await lockTenantKeys(t, ctx.tenant.id);
  const active = await t.one<{ n: number }>('SELECT count(*)::int AS n FROM jwt_keys WHERE tenant_id = $1::text AND revoked_at IS NULL', [ctx.tenant.id]);
  if (active.n >= MAX_ACTIVE_KEYS) throw conflict('too_many_keys', `A tenant may have ${MAX_ACTIVE_KEYS} JWT keys at once; delete one first`, 'kid');
  let row: DbJwtKey;
  try {
    row = await t.one<DbJwtKey>(
      `INSERT INTO jwt_keys (tenant_id, kid, alg, jwk, thumbprint) VALUES ($1::text, $2::text, $3::text, $4::jsonb, $5::text)
       RETURNING tenant_id, kid, alg, jwk, thumbprint, created_at, revoked_at`,
      [ctx.tenant.id, input.kid, key.alg, JSON.stringify(key.jwk), thumbprint],
    );
  } catch (err) {
    if (classifyDbError(err) === 'unique_violation') throw conflict('kid_taken', `A key with kid ${JSON.stringify(input.kid)} is registered already; delete it first or use another kid`, 'kid');
    throw err;
  }
  auditIn(t, svc, ctx, { objectType: 'jwt_key', objectId: row.kid, action: 'jwt_key.registered', metadata: { alg: row.alg, thumbprint } });
  return jwtKeyView(row);
}

export async function listJwtKeys(db: Queryable, tenantId: string) {
  const rows = await db.rows<DbJwtKey>(
    'SELECT * FROM jwt_keys WHERE tenant_id = $1::text AND revoked_at IS NULL ORDER BY created_at DESC, id DESC',
    [tenantId],
  );
  return { object: 'list' as const, data: rows.map(jwtKeyView), has_more: false, next_cursor: null };
}

/** Tokens signed with the key stop working at once (their next request is a 401 token_kid_unknown). */
export async function revokeJwtKey(t: Tx, svc: Services, ctx: Ctx, kid: string) {
  const row = await t.maybeOne<DbJwtKey>(
    'UPDATE jwt_keys SET revoked_at = now() WHERE tenant_id = $1::text AND kid = $2::text AND revoked_at IS NULL RETURNING *',
    [ctx.tenant.id, kid],
  );
  if (!row) throw notFound('JWT key', 'kid');
  auditIn(t, svc, ctx, { objectType: 'jwt_key', objectId: row.kid, action: 'jwt_key.revoked', metadata: { thumbprint: row.thumbprint } });
  return { object: 'jwt_key' as const, kid: row.kid, deleted: true as const };
}

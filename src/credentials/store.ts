import type { JsonWebKey } from 'node:crypto';
import type { Queryable, Tx } from '../db/pool.ts';
import { listPage, type CursorArgs, type Page } from '../db/paginate.ts';
import type { DbTenant } from '../tenants/tenants.ts';
import type { SigningAlg } from '../core/public-keys.ts';
import type { Permissions } from './permissions.ts';

/** The SQL of the restricted_keys, jwt_keys and jwt_replay tables, which this folder owns. */

export interface DbRestrictedKey {
  id: string;
  tenant_id: string;
  name: string;
  key_hash: string;
  last4: string;
  permissions: Permissions;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export interface DbJwtKey {
  tenant_id: string;
  kid: string;
  alg: SigningAlg;
  jwk: JsonWebKey;
  thumbprint: string;
  created_at: Date;
  revoked_at: Date | null;
}

// ----- restricted keys -----

export function insertRestrictedKey(
  t: Tx, k: { id: string; tenantId: string; name: string; keyHash: string; last4: string; permissions: DbRestrictedKey['permissions']; expiresAt: Date | null },
): Promise<DbRestrictedKey> {
  return t.one<DbRestrictedKey>(
    `INSERT INTO restricted_keys (id, tenant_id, name, key_hash, last4, permissions, expires_at)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::jsonb, $7::timestamptz) RETURNING *`,
    [k.id, k.tenantId, k.name, k.keyHash, k.last4, JSON.stringify(k.permissions), k.expiresAt],
  );
}

/** Revokes one of the tenant's restricted keys now (a revoked one keeps its time): the key, and whether it was revoked before; undefined when the tenant has no such key. */
export function revokeRestrictedKeyRow(t: Tx, tenantId: string, id: string): Promise<(DbRestrictedKey & { was_revoked: boolean }) | undefined> {
  return t.maybeOne<DbRestrictedKey & { was_revoked: boolean }>(
    `UPDATE restricted_keys k SET revoked_at = coalesce(k.revoked_at, now())
       FROM restricted_keys old
      WHERE k.id = $1::text AND k.tenant_id = $2::text AND old.id = k.id
      RETURNING k.*, old.revoked_at IS NOT NULL AS was_revoked`,
    [id, tenantId],
  );
}

/** A working restricted key by its hash, with its tenant (both as JSON). Revoked and expired keys never match. */
export function findRestrictedKeyRow(db: Queryable, keyHash: string): Promise<{ key: DbRestrictedKey; tenant: DbTenant } | undefined> {
  // joins tenants (owned by src/tenants): a request's key and its tenant in one statement.
  return db.maybeOne<{ key: DbRestrictedKey; tenant: DbTenant }>(
    `SELECT to_jsonb(k.*) AS key, to_jsonb(t.*) AS tenant
       FROM restricted_keys k JOIN tenants t ON t.id = k.tenant_id
      WHERE k.key_hash = $1::text AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
    [keyHash],
  );
}

/** A page of the tenant's restricted keys, revoked ones included, newest first. */
export function listRestrictedKeys<T>(db: Queryable, tenantId: string, page: CursorArgs, view: (k: DbRestrictedKey) => T): Promise<Page<T>> {
  return listPage(db, { table: 'restricted_keys', tenantId }, page, view);
}

// ----- service tokens: public keys and used token ids -----

export function countActiveJwtKeys(t: Tx, tenantId: string): Promise<{ n: number }> {
  return t.one<{ n: number }>('SELECT count(*)::int AS n FROM jwt_keys WHERE tenant_id = $1::text AND revoked_at IS NULL', [tenantId]);
}

export function insertJwtKey(t: Tx, k: { tenantId: string; kid: string; alg: SigningAlg; jwk: JsonWebKey; thumbprint: string }): Promise<DbJwtKey> {
  return t.one<DbJwtKey>(
    `INSERT INTO jwt_keys (tenant_id, kid, alg, jwk, thumbprint) VALUES ($1::text, $2::text, $3::text, $4::jsonb, $5::text)
       RETURNING tenant_id, kid, alg, jwk, thumbprint, created_at, revoked_at`,
    [k.tenantId, k.kid, k.alg, JSON.stringify(k.jwk), k.thumbprint],
  );
}

/** The tenant's keys not deleted, newest first. */
export function liveJwtKeys(db: Queryable, tenantId: string): Promise<DbJwtKey[]> {
  return db.rows<DbJwtKey>(
    'SELECT * FROM jwt_keys WHERE tenant_id = $1::text AND revoked_at IS NULL ORDER BY created_at DESC, id DESC',
    [tenantId],
  );
}

/** Deletes (revokes) the tenant's key `kid`: the key, or undefined when there is none not deleted. */
export function revokeJwtKeyRow(t: Tx, tenantId: string, kid: string): Promise<DbJwtKey | undefined> {
  return t.maybeOne<DbJwtKey>(
    'UPDATE jwt_keys SET revoked_at = now() WHERE tenant_id = $1::text AND kid = $2::text AND revoked_at IS NULL RETURNING *',
    [tenantId, kid],
  );
}

/** The tenant (undefined: none has this id) and its key `kid` not deleted (null: none), as JSON. */
export function tenantWithJwtKey(db: Queryable, tenantId: string, kid: string): Promise<{ tenant: DbTenant; key: DbJwtKey | null } | undefined> {
  // joins tenants (owned by src/tenants): a request's tenant and its key in one statement.
  return db.maybeOne<{ tenant: DbTenant; key: DbJwtKey | null }>(
    `SELECT to_jsonb(t.*) AS tenant, to_jsonb(k.*) AS key
       FROM tenants t LEFT JOIN jwt_keys k ON k.tenant_id = t.id AND k.kid = $2::text AND k.revoked_at IS NULL
      WHERE t.id = $1::text`,
    [tenantId, kid],
  );
}

/**
 * Records a token id as used until `expiresAt` (unix seconds); true when it was free (never used,
 * or used by a token that has expired since).
 */
export async function recordJti(db: Queryable, issuer: string, jti: string, expiresAt: number): Promise<boolean> {
  const fresh = await db.maybeOne(
    `INSERT INTO jwt_replay (issuer, jti, expires_at) VALUES ($1::text, $2::text, to_timestamp($3::double precision))
     ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE jwt_replay.expires_at < now()
     RETURNING 1`,
    [issuer, jti, expiresAt],
  );
  return fresh !== undefined;
}

/** Used ids past their token's expiry: the token's exp refuses it now (the cleanup job). */
export async function forgetExpiredJtis(db: Queryable): Promise<number> {
  return (await db.rows('DELETE FROM jwt_replay WHERE expires_at < now() RETURNING 1')).length;
}

import type { Queryable, Tx } from '../db/pool.ts';
import type { StoredKeyType } from './keys.ts';
import { tenantFromJson, type DbTenant } from './types.ts';

/**
 * What other capabilities ask of the tenants and api_keys tables, which this folder owns: the
 * tenant row lock that serialises a tenant's key changes, the operator's counts, and the rows of
 * the keys a gateway face keeps with an encrypted secret (a Razorpay pair).
 */

/**
 * Takes the tenant row's lock, which a tenant's key creations and rotations (of every kind)
 * take first, so they run one after another and each sees what the previous one committed. NO
 * KEY UPDATE, so inserts that reference the tenant (foreign keys take KEY SHARE) do not wait.
 */
export async function lockTenantKeys(t: Tx, tenantId: string): Promise<void> {
  await t.rows('SELECT 1 FROM tenants WHERE id = $1::text FOR NO KEY UPDATE', [tenantId]);
}

/** How many tenants there are, and how many of them the operator disabled. */
export function tenantCounts(db: Queryable): Promise<{ total: string; disabled: string }> {
  return db.one<{ total: string; disabled: string }>('SELECT count(*) AS total, count(*) FILTER (WHERE disabled) AS disabled FROM tenants');
}

/** Whether `id` names one of the tenant's api_keys rows (revoked or not). */
export async function isApiKeyOf(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.maybeOne('SELECT 1 FROM api_keys WHERE id = $1::text AND tenant_id = $2::text', [id, tenantId])) !== undefined;
}

/** Whether the tenant has a key of this type that still works (not revoked, or still rolling over). */
export async function hasActiveKey(q: Queryable, tenantId: string, type: StoredKeyType): Promise<boolean> {
  const row = await q.maybeOne(
    `SELECT 1 FROM api_keys WHERE tenant_id = $1::text AND type = $2::text AND (revoked_at IS NULL OR revoked_at > now())`,
    [tenantId, type],
  );
  return row !== undefined;
}

/** A key kept with its secret encrypted (`secretCiphertext`), for a type whose secret must be read back. */
export async function insertKeyWithSecret(t: Tx, key: { id: string; tenantId: string; type: StoredKeyType; keyHash: string; last4: string; secretCiphertext: string }): Promise<void> {
  await t.rows(
    `INSERT INTO api_keys (id, tenant_id, type, key_hash, last4, secret_ciphertext)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text)`,
    [key.id, key.tenantId, key.type, key.keyHash, key.last4, key.secretCiphertext],
  );
}

/**
 * A working key of this type by its hash, with its encrypted secret and its tenant: one indexed
 * lookup, joined to the tenant. Revoked keys never match.
 */
export async function findKeyWithSecret(db: Queryable, keyHash: string, type: StoredKeyType): Promise<{ id: string; secret_ciphertext: string; tenant: DbTenant } | undefined> {
  const row = await db.maybeOne<{ id: string; secret_ciphertext: string; tenant: DbTenant }>(
    `SELECT k.id, k.secret_ciphertext, to_jsonb(t.*) AS tenant
       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
      WHERE k.key_hash = $1::text AND k.type = $2::text AND (k.revoked_at IS NULL OR k.revoked_at > now())`,
    [keyHash, type],
  );
  // to_jsonb turns timestamps into strings; restore the row type.
  return row && { ...row, tenant: tenantFromJson(row.tenant) };
}

/** The encrypted secret of one of the tenant's keys of this type by its row id, revoked or not (undefined: none has that id). */
export async function keySecretCiphertext(db: Queryable, tenantId: string, keyRowId: string, type: StoredKeyType): Promise<string | undefined> {
  const row = await db.maybeOne<{ secret_ciphertext: string }>(
    'SELECT secret_ciphertext FROM api_keys WHERE id = $1::text AND tenant_id = $2::text AND type = $3::text',
    [keyRowId, tenantId, type],
  );
  return row?.secret_ciphertext;
}

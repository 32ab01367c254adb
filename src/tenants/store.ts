import type { Queryable, Tx } from '../db/pool.ts';
import { listWhere, paginate, type CursorArgs, type Page } from '../db/paginate.ts';
import { hashApiKey, type StoredKeyType } from './keys.ts';
import { tenantFromJson, type DbTenant, type TenantSettings } from './types.ts';

/**
 * The SQL of the tenants and api_keys tables, which this folder owns: registration, key lookups
 * and rotation, settings, the operator's list and changes, and what other capabilities ask of
 * them (the tenant row lock that serialises a tenant's key changes, the operator's counts, and
 * the rows of the keys a gateway face keeps with an encrypted secret, a Razorpay pair).
 */

// ----- tenants -----

/**
 * The time on a tenant's clock (migration 0037), in SQL: real time plus its offset. A rotated
 * key's grace period is on its tenant's clock, so advancing the clock ends it.
 */
const clockOf = (alias: string) => `(now() + ${alias}.clock_offset_ms * interval '1 millisecond')`;
/** The same, for a statement on api_keys with the tenant's id as $1. */
const TENANT_CLOCK = `(SELECT ${clockOf('c')} FROM tenants c WHERE c.id = $1::text)`;

export function insertTenant(t: Tx, tenant: { id: string; name: string; email: string; webhookSecret: string }): Promise<DbTenant> {
  return t.one<DbTenant>(
    `INSERT INTO tenants (id, name, email, webhook_secret) VALUES ($1::text, $2::text, $3::text, $4::text) RETURNING *`,
    [tenant.id, tenant.name, tenant.email, tenant.webhookSecret],
  );
}

export function getTenant(db: Queryable, id: string): Promise<DbTenant | undefined> {
  return db.maybeOne<DbTenant>('SELECT * FROM tenants WHERE id = $1::text', [id]);
}

/**
 * The tenant's settings under its row lock (NO KEY UPDATE: inserts that reference the tenant do
 * not wait), so concurrent patches apply one after another.
 */
export function lockTenantSettings(t: Tx, tenantId: string): Promise<Pick<DbTenant, 'settings'>> {
  return t.one<Pick<DbTenant, 'settings'>>('SELECT settings FROM tenants WHERE id = $1::text FOR NO KEY UPDATE', [tenantId]);
}

export function setTenantSettings(t: Tx, tenantId: string, settings: TenantSettings): Promise<DbTenant> {
  return t.one<DbTenant>(
    'UPDATE tenants SET settings = $2::jsonb, updated_at = now() WHERE id = $1::text RETURNING *',
    [tenantId, JSON.stringify(settings)],
  );
}

// ----- the tenant's clock (src/tenants/clock.ts) -----

/** The transaction's time for sandpay_now() (migration 0037), transaction-local; sent at once, not waited for by the caller. */
export function setTransactionClock(t: Tx, at: Date): Promise<unknown> {
  return t.rows("SELECT set_config('sandpay.now', $1::text, true)", [at.toISOString()]);
}

/** The tenant's clock under its row lock (NO KEY UPDATE, as the settings'): advances of one tenant run one after another. */
export function lockClock(t: Tx, tenantId: string): Promise<DbTenant> {
  return t.one<DbTenant>('SELECT * FROM tenants WHERE id = $1::text FOR NO KEY UPDATE', [tenantId]);
}

/** The clock starts advancing to `to`: answers the row, or undefined when an advance already runs. */
export function startAdvance(t: Tx, tenantId: string, to: Date): Promise<DbTenant | undefined> {
  return t.maybeOne<DbTenant>(
    `UPDATE tenants SET clock_status = 'advancing', clock_advancing_to = $2::timestamptz, updated_at = now()
      WHERE id = $1::text AND clock_status = 'ready' RETURNING *`,
    [tenantId, to],
  );
}

/**
 * The advance is done: the clock reads its target from now on (the offset is the target less
 * the real time of this commit, never less than it was).
 */
export function finishAdvance(t: Tx, tenantId: string): Promise<DbTenant | undefined> {
  return t.maybeOne<DbTenant>(
    `UPDATE tenants SET clock_offset_ms = greatest(clock_offset_ms, floor(extract(epoch FROM clock_advancing_to - now()) * 1000)::bigint),
            clock_status = 'ready', clock_advancing_to = NULL, updated_at = now()
      WHERE id = $1::text AND clock_status = 'advancing' RETURNING *`,
    [tenantId],
  );
}

/** Back to real time (the caller checked the tenant has nothing the clock dated). */
export function resetClock(t: Tx, tenantId: string): Promise<DbTenant> {
  return t.one<DbTenant>(
    `UPDATE tenants SET clock_offset_ms = 0, updated_at = now() WHERE id = $1::text RETURNING *`,
    [tenantId],
  );
}

/** The tenant under its row lock (undefined: no such tenant), for an operator's change. */
export function lockTenant(t: Tx, id: string): Promise<DbTenant | undefined> {
  return t.maybeOne<DbTenant>('SELECT * FROM tenants WHERE id = $1::text FOR UPDATE', [id]);
}

/** The operator's change: disabled, and the tenant's own rate limit (`rateLimit` undefined: unchanged; null: the default). */
export function setTenantByOperator(t: Tx, id: string, change: { disabled?: boolean | undefined; rateLimit?: number | null | undefined }): Promise<DbTenant> {
  return t.one<DbTenant>(
    `UPDATE tenants SET disabled = coalesce($2::boolean, disabled),
            rate_limit = CASE WHEN $3::boolean THEN $4::int ELSE rate_limit END, updated_at = now()
      WHERE id = $1::text RETURNING *`,
    [id, change.disabled ?? null, change.rateLimit !== undefined, change.rateLimit ?? null],
  );
}

/** A tenant with how many payments, live endpoints and dead deliveries it has (the operator's list). */
export type TenantWithCounts = DbTenant & { payments: string; webhook_endpoints: string; dead_deliveries: string };

// joins payments (owned by src/payments), webhook_endpoints (owned by src/webhooks) and
// webhook_deliveries (owned by src/webhooks): the operator's list counts each tenant's rows in its
// one paged statement; those folders sit above this one.
const WITH_COUNTS = `(SELECT t.*,
    (SELECT count(*) FROM payments p WHERE p.tenant_id = t.id) AS payments,
    (SELECT count(*) FROM webhook_endpoints w WHERE w.tenant_id = t.id AND w.deleted_at IS NULL) AS webhook_endpoints,
    (SELECT count(*) FROM webhook_deliveries d WHERE d.tenant_id = t.id AND d.status = 'dead') AS dead_deliveries
  FROM tenants t) AS tenants_with_counts`;

/** A page of every tenant with its counts, newest first: disabled or not, and matching `search` (name, email, or exactly its id). */
export function listTenantsWithCounts<T>(
  db: Queryable, filter: { disabled?: boolean | undefined; search?: string | undefined }, page: CursorArgs, view: (t: TenantWithCounts) => T,
): Promise<Page<T>> {
  const where = listWhere({ disabled: filter.disabled }, ['true']);
  if (filter.search !== undefined) {
    where.params.push(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, filter.search);
    const n = where.params.length;
    where.where.push(`(name ILIKE $${n - 1}::text OR email ILIKE $${n - 1}::text OR id = $${n}::text)`);
  }
  return paginate<TenantWithCounts, T>(db, { table: WITH_COUNTS, ...where, ...page }, view);
}

export function tenantWithCounts(q: Queryable, id: string): Promise<TenantWithCounts> {
  return q.one<TenantWithCounts>(`SELECT * FROM ${WITH_COUNTS} WHERE id = $1::text`, [id]);
}

// ----- keys -----

export function insertApiKey(t: Tx, key: { id: string; tenantId: string; type: string; keyHash: string; last4: string }): Promise<unknown[]> {
  return t.rows(
    'INSERT INTO api_keys (id, tenant_id, type, key_hash, last4) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text)',
    [key.id, key.tenantId, key.type, key.keyHash, key.last4],
  );
}

export interface KeyLookup {
  key_id: string;
  key_type: StoredKeyType;
  tenant: DbTenant;
  /** When a rotated key stops working (null: not revoked): how long a cache may keep it. */
  revoked_at: Date | null;
}

/** One indexed lookup per request: the key by its hash, joined to its tenant. Revoked keys never match. */
export async function findTenantByKey(db: Queryable, token: string): Promise<KeyLookup | undefined> {
  const row = await db.maybeOne<{ key_id: string; key_type: StoredKeyType; tenant: DbTenant; revoked_at: Date | null }>(
    `SELECT k.id AS key_id, k.type AS key_type, to_jsonb(t.*) AS tenant, k.revoked_at
       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
      WHERE k.key_hash = $1::text AND (k.revoked_at IS NULL OR k.revoked_at > ${clockOf('t')})`,
    [hashApiKey(token)],
  );
  if (!row) return undefined;
  // to_jsonb turns timestamps into strings; restore the row type.
  const tenant = tenantFromJson(row.tenant);
  return { key_id: row.key_id, key_type: row.key_type, tenant, revoked_at: row.revoked_at };
}

export type KeyRow = { id: string; type: string; last4: string; created_at: Date; revoked_at: Date | null };

/** The tenant's keys that still work (rolled ones included until they stop). */
export function activeKeys(db: Queryable, tenantId: string): Promise<KeyRow[]> {
  return db.rows<KeyRow>(
    `SELECT id, type, last4, created_at, revoked_at FROM api_keys WHERE tenant_id = $1::text AND (revoked_at IS NULL OR revoked_at > ${TENANT_CLOCK}) ORDER BY type, created_at`,
    [tenantId],
  );
}

/** Revokes the tenant's working keys of the type, `expireOldIn` seconds from now: the keys revoked. */
export function revokeKeysOfType(t: Tx, tenantId: string, type: StoredKeyType, expireOldIn: number): Promise<Array<{ id: string; revoked_at: Date }>> {
  return t.rows<{ id: string; revoked_at: Date }>(
    `UPDATE api_keys SET revoked_at = sandpay_now() + $3::int * interval '1 second'
      WHERE tenant_id = $1::text AND type = $2::text AND (revoked_at IS NULL OR revoked_at > sandpay_now() + $3::int * interval '1 second')
      RETURNING id, revoked_at`,
    [tenantId, type, expireOldIn],
  );
}

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
    `SELECT 1 FROM api_keys WHERE tenant_id = $1::text AND type = $2::text AND (revoked_at IS NULL OR revoked_at > ${TENANT_CLOCK})`,
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
      WHERE k.key_hash = $1::text AND k.type = $2::text AND (k.revoked_at IS NULL OR k.revoked_at > ${clockOf('t')})`,
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

import type { Db, Queryable, Tx } from '../db/pool.ts';
import { classifyDbError } from '../db/errors.ts';
import { newId } from '../ids.ts';
import { audit, SYSTEM_ACTOR, type Actor } from '../audit/append.ts';
import type { Ctx, Services } from '../services.ts';
import { conflict } from '../http/errors.ts';
import { generateApiKey, generateWebhookSecret, hashApiKey, type KeyType } from './keys.ts';

export interface TenantSettings {
  /**
   * Async mode: payments start `pending` and a job settles them after `delay_ms`; instruments
   * that normally succeed then succeed with probability `success_rate`.
   */
  auto_process: { enabled: boolean; delay_ms: number; success_rate: number };
}

export const DEFAULT_SETTINGS: TenantSettings = {
  auto_process: { enabled: false, delay_ms: 3000, success_rate: 1 },
};

export interface DbTenant {
  id: string;
  name: string;
  email: string;
  webhook_secret: string;
  settings: Partial<TenantSettings>;
  disabled: boolean;
  rate_limit: number | null;
  created_at: Date;
  updated_at: Date;
}

export function settingsOf(t: Pick<DbTenant, 'settings'>): TenantSettings {
  return { auto_process: { ...DEFAULT_SETTINGS.auto_process, ...t.settings.auto_process } };
}

export function tenantView(t: DbTenant, keys: Array<{ id: string; type: string; last4: string; created_at: Date }> = []) {
  return {
    id: t.id,
    object: 'tenant',
    name: t.name,
    email: t.email,
    settings: settingsOf(t),
    disabled: t.disabled,
    keys: keys.map((k) => ({
      id: k.id,
      type: k.type,
      // Enough to recognise a key, never enough to use it.
      hint: `${k.type === 'secret' ? 'sk_test_' : 'pk_test_'}...${k.last4}`,
      created_at: k.created_at.toISOString(),
    })),
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
  };
}

async function insertKey(t: Tx, tenantId: string, type: KeyType) {
  const key = generateApiKey(type);
  const id = newId('apiKey');
  await t.rows(
    'INSERT INTO api_keys (id, tenant_id, type, key_hash, last4) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text)',
    [id, tenantId, type, key.hash, key.last4],
  );
  return { id, key: key.key };
}

export async function registerTenant(db: Db, input: { name: string; email: string }, requestId: string) {
  try {
    return await db.tx(async (t) => {
      const webhookSecret = generateWebhookSecret();
      const tenant = await t.one<DbTenant>(
        `INSERT INTO tenants (id, name, email, webhook_secret) VALUES ($1::text, $2::text, $3::text, $4::text) RETURNING *`,
        [newId('tenant'), input.name, input.email, webhookSecret],
      );
      const secret = await insertKey(t, tenant.id, 'secret');
      const publishable = await insertKey(t, tenant.id, 'publishable');
      audit(t, {
        tenantId: tenant.id,
        objectType: 'tenant',
        objectId: tenant.id,
        action: 'tenant.created',
        actor: { type: 'system', id: null },
        requestId,
        metadata: { email: tenant.email },
      });
      return { tenant, secretKey: secret.key, publishableKey: publishable.key, webhookSecret };
    });
  } catch (err) {
    if (classifyDbError(err) === 'unique_violation') {
      throw conflict('email_taken', 'A tenant with this email is already registered', 'email');
    }
    throw err;
  }
}

export interface KeyLookup {
  key_id: string;
  key_type: KeyType;
  tenant: DbTenant;
}

/** One indexed lookup per request: the key by its hash, joined to its tenant. Revoked keys never match. */
export async function findTenantByKey(db: Queryable, token: string): Promise<KeyLookup | undefined> {
  const row = await db.maybeOne<{ key_id: string; key_type: KeyType; tenant: DbTenant }>(
    `SELECT k.id AS key_id, k.type AS key_type, to_jsonb(t.*) AS tenant
       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
      WHERE k.key_hash = $1::text AND k.revoked_at IS NULL`,
    [hashApiKey(token)],
  );
  if (!row) return undefined;
  // to_jsonb turns timestamps into strings; restore the row type.
  const tenant = { ...row.tenant, created_at: new Date(row.tenant.created_at), updated_at: new Date(row.tenant.updated_at) };
  return { key_id: row.key_id, key_type: row.key_type, tenant };
}

export async function getTenant(db: Queryable, id: string): Promise<DbTenant | undefined> {
  return db.maybeOne<DbTenant>('SELECT * FROM tenants WHERE id = $1::text', [id]);
}

/** The context of work Sandpay does on its own (jobs, reconciliation) for a tenant. */
export async function systemCtx(db: Queryable, svc: Services, tenantId: string): Promise<Ctx | null> {
  const tenant = await getTenant(db, tenantId);
  return tenant ? { svc, tenant, actor: SYSTEM_ACTOR, requestId: null } : null;
}

export async function activeKeys(db: Queryable, tenantId: string) {
  return db.rows<{ id: string; type: string; last4: string; created_at: Date }>(
    'SELECT id, type, last4, created_at FROM api_keys WHERE tenant_id = $1::text AND revoked_at IS NULL ORDER BY type, created_at',
    [tenantId],
  );
}

/** Revokes every active key of the type and issues a new one, in one transaction. */
export async function rotateKey(t: Tx, tenantId: string, type: KeyType, actor: Actor, requestId: string) {
  const revoked = await t.rows<{ id: string }>(
    `UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1::text AND type = $2::text AND revoked_at IS NULL RETURNING id`,
    [tenantId, type],
  );
  const fresh = await insertKey(t, tenantId, type);
  audit(t, {
    tenantId,
    objectType: 'api_key',
    objectId: fresh.id,
    action: 'api_key.rotated',
    actor,
    requestId,
    metadata: { type, revoked: revoked.map((r) => r.id) },
  });
  return fresh;
}

export async function updateSettings(t: Tx, tenant: DbTenant, patch: Partial<{ auto_process: Partial<TenantSettings['auto_process']> }>, actor: Actor, requestId: string) {
  const before = settingsOf(tenant);
  const after: TenantSettings = { auto_process: { ...before.auto_process, ...patch.auto_process } };
  const row = await t.one<DbTenant>(
    'UPDATE tenants SET settings = $2::jsonb, updated_at = now() WHERE id = $1::text RETURNING *',
    [tenant.id, JSON.stringify(after)],
  );
  audit(t, {
    tenantId: tenant.id,
    objectType: 'tenant',
    objectId: tenant.id,
    action: 'tenant.settings_updated',
    actor,
    requestId,
    metadata: { before, after },
  });
  return row;
}

import type { Queryable, Tx } from '../db/pool.ts';
import { invalidateOnCommit } from './caches.ts';
import { classifyDbError } from '../db/errors.ts';
import { newId } from '../ids.ts';
import { audit, auditIn, SYSTEM_ACTOR } from '../audit/append.ts';
import type { BaseServices } from '../jobs/services.ts';
import { conflict } from '../core/errors.ts';
import type { SettingsPatch } from './schemas.ts';
import type { TenantServices } from './services.ts';
import type { Ctx, DbTenant, TenantSettings } from './types.ts';

export type { Ctx, DbTenant, TenantSettings };
import { generateApiKey, generateWebhookSecret, KEY_PREFIX, type KeyType, type StoredKeyType } from './keys.ts';
import { tenantAt, useClock } from './clock.ts';
import { getTenant, insertApiKey, insertTenant, lockTenantKeys, lockTenantSettings, revokeKeysOfType, setTenantSettings, type KeyRow } from './store.ts';

export const DEFAULT_SETTINGS: TenantSettings = {
  auto_process: { enabled: false, delay_ms: 3000, success_rate: 1 },
  checkout: { allowed_origins: [] },
  faults: { rate: 0, kinds: ['status'], seed: null },
};


export function settingsOf(t: Pick<DbTenant, 'settings'>): TenantSettings {
  return {
    auto_process: { ...DEFAULT_SETTINGS.auto_process, ...t.settings.auto_process },
    checkout: { ...DEFAULT_SETTINGS.checkout, ...t.settings.checkout },
    faults: { ...DEFAULT_SETTINGS.faults, ...t.settings.faults },
  };
}

/** `prefixes`: the prefix each key type's keys start with (Sandpay's own, and a face's key pairs). */
export function tenantView(t: DbTenant, keys: KeyRow[] = [], prefixes: Readonly<Record<string, string>> = KEY_PREFIX) {
  return {
    id: t.id,
    object: 'tenant' as const,
    name: t.name,
    email: t.email,
    settings: settingsOf(t),
    disabled: t.disabled,
    keys: keys.map((k) => ({
      id: k.id,
      type: k.type,
      // Enough to recognise a key, never enough to use it.
      hint: `${prefixes[k.type] ?? ''}...${k.last4}`,
      created_at: k.created_at.toISOString(),
      // Set while a rolled key still works (rotation with expire_old_in).
      expires_at: k.revoked_at ? k.revoked_at.toISOString() : null,
    })),
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
  };
}

async function insertKey(t: Tx, tenantId: string, type: KeyType) {
  const key = generateApiKey(type);
  const id = newId('apiKey');
  await insertApiKey(t, { id, tenantId, type, keyHash: key.hash, last4: key.last4 });
  return { id, key: key.key };
}

export async function registerTenant(svc: Pick<TenantServices, 'db' | 'audit'>, input: { name: string; email: string }, requestId: string) {
  try {
    return await svc.db.tx(async (t) => {
      const webhookSecret = generateWebhookSecret();
      const tenant = await insertTenant(t, { id: newId('tenant'), name: input.name, email: input.email, webhookSecret });
      const secret = await insertKey(t, tenant.id, 'secret');
      const publishable = await insertKey(t, tenant.id, 'publishable');
      audit(t, svc, {
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

/** The context of work Sandpay does on its own (jobs, reconciliation) for a tenant. */
export async function systemCtx(db: Queryable, tenantId: string): Promise<Ctx | null> {
  const tenant = await getTenant(db, tenantId);
  return tenant ? { tenant, actor: SYSTEM_ACTOR, requestId: null } : null;
}

/**
 * A job's work, in one transaction, as the system acting for the tenant that owns its row
 * (`ownerOf` reads it from the row's own table); a row that is gone leaves nothing to do.
 */
export async function asOwner(svc: Pick<BaseServices, 'db'>, ownerOf: (t: Tx) => Promise<{ tenant_id: string } | undefined>, work: (t: Tx, ctx: Ctx) => Promise<unknown>): Promise<void> {
  await svc.db.tx(async (t) => {
    const owner = await ownerOf(t);
    const ctx = owner && (await systemCtx(t, owner.tenant_id));
    if (!ctx) return;
    useClock(t, ctx.tenant);
    await work(t, ctx);
  });
}

/**
 * Work Sandpay does for a tenant as if its clock read `at` (a step of a clock advance), in one
 * transaction dated then; a tenant that is gone leaves nothing to do.
 */
export async function atTenantTime(svc: Pick<BaseServices, 'db'>, tenantId: string, at: Date, work: (t: Tx, ctx: Ctx) => Promise<unknown>): Promise<void> {
  await svc.db.tx(async (t) => {
    const found = await systemCtx(t, tenantId);
    if (!found) return;
    const ctx = { ...found, tenant: tenantAt(found.tenant, at) };
    useClock(t, ctx.tenant);
    await work(t, ctx);
  });
}

/**
 * Revokes every active key of the type and issues a new one, in one transaction. With
 * `expireOldIn` seconds the old keys keep working until then (a key roll), as live gateways allow.
 * `issue` makes the new key: a gateway face's key pair (src/faces/<face>/keys.ts) brings its own.
 */
export async function rotateKey<K extends { id: string } = { id: string; key: string }>(
  t: Tx, svc: Pick<TenantServices, 'audit' | 'caches'>, ctx: Ctx, type: StoredKeyType, expireOldIn = 0,
  issue: () => Promise<K> = () => insertKey(t, ctx.tenant.id, type as KeyType) as unknown as Promise<K>,
) {
  const tenantId = ctx.tenant.id;
  // Rotations of one tenant run one after another: without this, two concurrent ones each revoke
  // the keys their snapshot sees and both insert, leaving several active keys. The UPDATE below
  // is a new statement, so after the wait it sees the key the previous rotation committed.
  await lockTenantKeys(t, tenantId);
  invalidateOnCommit(t, svc.caches, 'auth', tenantId);
  const revoked = await revokeKeysOfType(t, tenantId, type, expireOldIn);
  const fresh = await issue();
  auditIn(t, svc, ctx, {
    objectType: 'api_key',
    objectId: fresh.id,
    action: 'api_key.rotated',
    metadata: { type, revoked: revoked.map((r) => r.id), expire_old_in: expireOldIn },
  });
  return { ...fresh, oldKeysExpireAt: revoked[0]?.revoked_at ?? new Date() };
}


/**
 * The caller's tenant came from the auth cache, so its settings may be stale: merging a patch
 * into them would silently undo a concurrent PATCH (a reverted checkout.allowed_origins lets any
 * origin frame checkout). The merge starts from the row read under its lock, so concurrent patches
 * apply one after another, each to what the previous one committed. NO KEY UPDATE, as in
 * rotateKey: inserts that reference the tenant do not wait.
 */
export async function updateSettings(t: Tx, svc: Pick<TenantServices, 'audit' | 'caches'>, ctx: Ctx, patch: SettingsPatch) {
  const { tenant } = ctx;
  const current = await lockTenantSettings(t, tenant.id);
  const before = settingsOf(current);
  const after: TenantSettings = {
    auto_process: { ...before.auto_process, ...patch.auto_process },
    checkout: { ...before.checkout, ...patch.checkout },
    faults: { ...before.faults, ...patch.faults },
  };
  const row = await setTenantSettings(t, tenant.id, after);
  invalidateOnCommit(t, svc.caches, 'auth', tenant.id);
  auditIn(t, svc, ctx, {
    objectType: 'tenant',
    objectId: tenant.id,
    action: 'tenant.settings_updated',
    metadata: { before, after },
  });
  return row;
}

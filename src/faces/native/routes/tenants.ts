import { z } from 'zod';
import { listOf, pageQuery } from '../../../core/schemas.ts';
import { listTenants, updateTenantByOperator } from '../../../tenants/admin.ts';
import {
  adminTenantObject, adminTenantPatch, adminTenantsQuery, registerSchema, registeredObject, rotateKeySchema, rotatedKeyObject, settingsSchema, tenantObject,
} from '../../../tenants/schemas.ts';
import { KEY_PREFIX } from '../../../tenants/keys.ts';
import { registerTenant, rotateKey, tenantView, updateSettings } from '../../../tenants/tenants.ts';
import { activeKeys } from '../../../tenants/store.ts';
import { createRestrictedKey } from '../../../credentials/restricted-keys.ts';
import { restrictedKeyCreate, restrictedKeyCreated } from '../../../credentials/schemas.ts';
import type { KeyPairFace } from '../../../routing/face.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Tenants';

/**
 * Registration, the tenant's keys and settings, and the operator's tenant routes. The key routes
 * also make and rotate the key pairs of the gateway faces that issue them (`pairs`), each through
 * its face's own functions and schemas.
 */
export function tenantRoutes(pairs: readonly KeyPairFace[]) {
  const pairTypes = pairs.map((p) => p.type);
  const prefixes = { ...KEY_PREFIX, ...Object.fromEntries(pairs.map((p) => [p.type, p.prefix])) };
  const rotatedFields = Object.assign({}, ...pairs.map((p) => p.rotatedFields)) as Record<string, z.ZodType>;
  const pairOf = (type: string) => pairs.find((p) => p.type === type);
  const createBody = z.discriminatedUnion('type', [...pairs.map((p) => p.createBody), restrictedKeyCreate] as [typeof restrictedKeyCreate], {
    error: `must be ${[...pairTypes, 'restricted'].map((t) => JSON.stringify(t)).join(' or ')}`,
  });
  const labels = pairs.map((p) => p.label);
  return [
    route({
      method: 'post', path: '/api/v1/auth/register', auth: 'none', rateLimit: 'register', tag, status: 201, errors: [409],
      summary: 'Register a tenant', description: 'The answer holds the secret key, the publishable key and the webhook secret, shown once. API keys are stored only as SHA-256 hashes.',
      body: registerSchema, response: registeredObject, example: { name: 'My Shop', email: 'dev@example.com' },
      handler: async ({ svc, body, requestId }) => {
        const { tenant, secretKey, publishableKey, webhookSecret } = await registerTenant(svc, body, requestId);
        return { ...tenantView(tenant, await activeKeys(svc.db, tenant.id), prefixes), secret_key: secretKey, publishable_key: publishableKey, webhook_secret: webhookSecret };
      },
    }),
    route({
      method: 'get', path: '/api/v1/auth/me', auth: 'secret', tag, summary: 'The tenant of this key, its settings and key hints', response: tenantObject,
      handler: async ({ db, ctx }) => tenantView(ctx.tenant, await activeKeys(db, ctx.tenant.id), prefixes),
    }),
    route({
      // Not idempotency-stored: the answer carries a new key, and keys are only ever stored hashed.
      method: 'post', path: '/api/v1/auth/keys/rotate', auth: 'secret', tag, write: true, idempotency: 'none',
      summary: `Rotate the secret or publishable key${labels.map((l) => `, or the ${l} key pair`).join('')}`,
      description: 'With `expire_old_in`, the old key keeps working that many seconds (a key roll).',
      body: rotateKeySchema(pairTypes), response: rotatedKeyObject(pairTypes, rotatedFields), example: { type: 'secret', expire_old_in: 3600 },
      handler: async ({ t, svc, ctx, body }) => {
        const pair = pairOf(body.type);
        if (pair) {
          const fresh = await pair.rotate(t, svc, ctx, body.expire_old_in);
          return { object: 'api_key' as const, id: fresh.id, type: body.type, ...fresh.fields, old_keys_expire_at: fresh.oldKeysExpireAt.toISOString() };
        }
        const fresh = await rotateKey(t, svc, ctx, body.type, body.expire_old_in);
        return {
          object: 'api_key' as const, id: fresh.id, type: body.type,
          ...(body.type === 'secret' ? { secret_key: fresh.key } : { publishable_key: fresh.key }),
          old_keys_expire_at: fresh.oldKeysExpireAt.toISOString(),
        };
      },
    }),
    route({
      // Not idempotency-stored, like rotation: the answer carries a secret.
      // One route for every kind of key it makes: the body is a union on `type`, each variant's handler in its own module.
      method: 'post', path: '/api/v1/auth/keys', auth: 'secret', tag, write: true, idempotency: 'none', status: 201, errors: [409],
      summary: `Create ${labels.map((l) => `a ${l} key pair, or `).join('')}a restricted key`,
      description:
        pairs.map((p) => `${p.describe}\n\n`).join('') +
        '`{"type": "restricted", "name", "permissions", "expires_at"?}` answers a restricted key (`secret`: rk_test_…) once, stored as a SHA-256 hash. It may call only the routes its `permissions` cover (`x-permission` on each operation); anything else is a 403 `missing_permission` naming what it lacks.',
      body: createBody,
      response: z.union([...pairs.map((p) => p.created), restrictedKeyCreated]),
      example: { type: 'restricted', name: 'refund bot', permissions: { payments: 'read', refunds: 'write' } },
      handler: async ({ svc, t, ctx, body }) => {
        const pair = pairOf(body.type);
        return pair ? pair.create(t, svc, ctx) : createRestrictedKey(t, svc, ctx, body);
      },
    }),
    route({
      method: 'patch', path: '/api/v1/auth/settings', auth: 'secret', tag, write: true, summary: 'Change settings (async mode)', body: settingsSchema, response: tenantObject, example: { auto_process: { enabled: true, delay_ms: 2000, success_rate: 0.8 } },
      handler: async ({ t, svc, ctx, body }) => {
        const row = await updateSettings(t, svc, ctx, body);
        return tenantView(row, await activeKeys(t, row.id), prefixes);
      },
    }),
    route({
      method: 'get', path: '/api/v1/admin/tenants', auth: 'admin', tag: 'Operators', summary: 'List tenants with counts',
      query: adminTenantsQuery.extend(pageQuery), response: listOf(adminTenantObject),
      handler: ({ db, query: q }) => listTenants(db, q.disabled === undefined ? undefined : q.disabled === 'true', pageArgs(q), q.search),
    }),
    route({
      method: 'patch', path: '/api/v1/admin/tenants/:id', auth: 'admin', tag: 'Operators', write: true, summary: 'Disable a tenant or set its rate limit',
      params: byId('tenant', 'tenant'), body: adminTenantPatch, response: adminTenantObject, example: { disabled: false },
      handler: ({ t, svc, actor, requestId, params: p, body }) => updateTenantByOperator(t, svc, { actor, requestId }, p.id, body),
    }),
  ];
}

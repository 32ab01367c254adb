import { z } from 'zod';
import { listOf, pageQuery } from '../../../core/schemas.ts';
import { listTenants, updateTenantByOperator } from '../../../tenants/admin.ts';
import {
  adminTenantObject, adminTenantPatch, adminTenantsQuery, createKeySchema, createdKeyObject, registerSchema, registeredObject, rotateKeySchema, rotatedKeyObject, settingsSchema, tenantObject,
} from '../../../tenants/schemas.ts';
import { activeKeys, registerTenant, rotateKey, tenantView, updateSettings } from '../../../tenants/tenants.ts';
// One import across faces (README, Layout): the native key routes also make and rotate the Razorpay face's key pair.
import { createRazorpayKey, rotateRazorpayKey } from '../../razorpay/keys.ts';
import { createRestrictedKey } from '../../../credentials/restricted-keys.ts';
import { restrictedKeyCreate, restrictedKeyCreated } from '../../../credentials/schemas.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Tenants';

export const tenantRoutes = [
  route({
    method: 'post', path: '/api/v1/auth/register', auth: 'none', rateLimit: 'register', tag, status: 201, errors: [409],
    summary: 'Register a tenant', description: 'The answer holds the secret key, the publishable key and the webhook secret, shown once. API keys are stored only as SHA-256 hashes.',
    body: registerSchema, response: registeredObject, example: { name: 'My Shop', email: 'dev@example.com' },
    handler: async ({ deps, body, requestId }) => {
      const { tenant, secretKey, publishableKey, webhookSecret } = await registerTenant(deps.db, body, requestId);
      return { ...tenantView(tenant, await activeKeys(deps.db, tenant.id)), secret_key: secretKey, publishable_key: publishableKey, webhook_secret: webhookSecret };
    },
  }),
  route({
    method: 'get', path: '/api/v1/auth/me', auth: 'secret', tag, summary: 'The tenant of this key, its settings and key hints', response: tenantObject,
    handler: async ({ db, ctx }) => tenantView(ctx.tenant, await activeKeys(db, ctx.tenant.id)),
  }),
  route({
    // Not idempotency-stored: the answer carries a new key, and keys are only ever stored hashed.
    method: 'post', path: '/api/v1/auth/keys/rotate', auth: 'secret', tag, write: true, idempotency: 'none',
    summary: 'Rotate the secret or publishable key, or the Razorpay key pair', description: 'With `expire_old_in`, the old key keeps working that many seconds (a key roll).',
    body: rotateKeySchema, response: rotatedKeyObject, example: { type: 'secret', expire_old_in: 3600 },
    handler: async ({ t, ctx, body }) => {
      if (body.type === 'razorpay') {
        const pair = await rotateRazorpayKey(t, ctx, body.expire_old_in);
        return { object: 'api_key' as const, id: pair.id, type: body.type, key_id: pair.key_id, key_secret: pair.key_secret, old_keys_expire_at: pair.oldKeysExpireAt.toISOString() };
      }
      const fresh = await rotateKey(t, ctx.tenant.id, body.type, ctx.actor, ctx.requestId!, body.expire_old_in);
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
    summary: 'Create a Razorpay key pair, or a restricted key',
    description:
      '`{"type": "razorpay"}` answers `key_id` (rzp_test_…) and `key_secret` once. Use them with the official Razorpay SDK against /v1 and as checkout.js\'s `key`. The key_secret is stored encrypted (it signs checkout results); rotate the pair with POST /auth/keys/rotate {"type":"razorpay"}. 409 when the tenant already has one.\n\n' +
      '`{"type": "restricted", "name", "permissions", "expires_at"?}` answers a restricted key (`secret`: rk_test_…) once, stored as a SHA-256 hash. It may call only the routes its `permissions` cover (`x-permission` on each operation); anything else is a 403 `missing_permission` naming what it lacks.',
    body: z.discriminatedUnion('type', [createKeySchema, restrictedKeyCreate], { error: 'must be "razorpay" or "restricted"' }),
    response: z.union([createdKeyObject, restrictedKeyCreated]),
    example: { type: 'restricted', name: 'refund bot', permissions: { payments: 'read', refunds: 'write' } },
    handler: async ({ t, ctx, body }) => {
      if (body.type === 'restricted') return createRestrictedKey(t, ctx, body);
      const pair = await createRazorpayKey(t, ctx);
      return { object: 'api_key' as const, id: pair.id, type: 'razorpay' as const, key_id: pair.key_id, key_secret: pair.key_secret };
    },
  }),
  route({
    method: 'patch', path: '/api/v1/auth/settings', auth: 'secret', tag, write: true, summary: 'Change settings (async mode)', body: settingsSchema, response: tenantObject, example: { auto_process: { enabled: true, delay_ms: 2000, success_rate: 0.8 } },
    handler: async ({ t, ctx, body }) => {
      const row = await updateSettings(t, ctx.tenant, body, ctx.actor, ctx.requestId!);
      return tenantView(row, await activeKeys(t, row.id));
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
    handler: ({ t, actor, requestId, params: p, body }) => updateTenantByOperator(t, p.id, body, actor, requestId),
  }),
];

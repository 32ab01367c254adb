import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { actorOf, requestId, tenantOf } from '../context.ts';
import { parseBody } from '../validate.ts';
import { activeKeys, registerTenant, rotateKey, tenantView, updateSettings } from '../../tenants/tenants.ts';
import { ipRateLimit } from '../middleware/rate-limit.ts';

const registerSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254).transform((e) => e.toLowerCase()),
});

const rotateSchema = z.strictObject({ type: z.enum(['secret', 'publishable']).default('secret') });

const settingsSchema = z.strictObject({
  auto_process: z
    .strictObject({
      enabled: z.boolean(),
      delay_ms: z.number().int().min(0).max(3_600_000),
      success_rate: z.number().min(0).max(1),
    })
    .partial(),
});

/** Registration is the one unauthenticated write, limited per client IP. */
export function registerRouter({ db, config }: AppDeps): Router {
  const router = Router();
  router.post(
    '/auth/register',
    ipRateLimit(db, config.rateLimit.windowMs, config.rateLimit.registerMax, 'register:'),
    async (req, res) => {
      const input = parseBody(registerSchema, req.body);
      const { tenant, secretKey, publishableKey, webhookSecret } = await registerTenant(db, input, requestId(req));
      req.log.info({ tenant_id: tenant.id }, 'tenant registered');
      res.status(201).json({
        ...tenantView(tenant),
        // Shown once. Only hashes of the API keys are stored.
        secret_key: secretKey,
        publishable_key: publishableKey,
        webhook_secret: webhookSecret,
      });
    },
  );
  return router;
}

export function authRouter({ db }: AppDeps): Router {
  const router = Router();

  router.get('/auth/me', async (req, res) => {
    const tenant = tenantOf(req);
    res.json(tenantView(tenant, await activeKeys(db, tenant.id)));
  });

  // Not idempotency-stored: the answer carries a new key, and keys are only ever stored hashed.
  router.post('/auth/keys/rotate', async (req, res) => {
    const input = parseBody(rotateSchema, req.body);
    const fresh = await db.tx((t) => rotateKey(t, tenantOf(req).id, input.type, actorOf(req), requestId(req)));
    res.json({ object: 'api_key', id: fresh.id, type: input.type, key: fresh.key });
  });

  router.patch('/auth/settings', async (req, res) => {
    const patch = parseBody(settingsSchema.partial(), req.body);
    const row = await db.tx((t) => updateSettings(t, tenantOf(req), patch, actorOf(req), requestId(req)));
    res.json(tenantView(row, await activeKeys(db, row.id)));
  });

  return router;
}

import { z } from 'zod';
import { parseOrigin } from '../core/origins.ts';
import { isoTime } from '../core/schemas.ts';

/** A tenant's `checkout` settings (PATCH /auth/settings). */
export const checkoutSettingsSchema = z.strictObject({
  allowed_origins: z
    .array(z.string().max(300).refine((o) => parseOrigin(o) !== null, 'must be an origin such as https://shop.example (scheme, host and optional port, nothing else)'))
    .max(50)
    .transform((os) => [...new Set(os.map((o) => parseOrigin(o)!))]),
});

export const registerSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254).transform((e) => e.toLowerCase()),
});

/** The key roles every tenant has; a gateway face's key pairs add their own types (src/faces/<face>/keys.ts). */
const KEY_ROLES = ['secret', 'publishable'] as const;

/** POST /auth/keys/rotate: one of the key roles, or the type of a face's key pair (`pairTypes`). */
export const rotateKeySchema = (pairTypes: readonly string[]) => z.strictObject({
  type: z.enum([...KEY_ROLES, ...pairTypes]).default('secret'),
  expire_old_in: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(0)
    .meta({ description: 'Seconds the old key keeps working (a key roll); 0 revokes it at once' }),
});

/** What a tenant's random faults may be (Sandpay-Fault names the same ones per request). */
export const FAULT_KINDS = ['latency', 'status', 'reset', 'timeout', 'after_commit'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const settingsSchema = z
  .strictObject({
    auto_process: z
      .strictObject({
        enabled: z.boolean(),
        delay_ms: z.number().int().min(0).max(3_600_000),
        success_rate: z.number().min(0).max(1),
      })
      .partial(),
    checkout: checkoutSettingsSchema.partial(),
    faults: z
      .strictObject({
        rate: z.number().min(0).max(1).meta({ description: 'Share of calls that get a fault, 0 (off) to 1' }),
        kinds: z.array(z.enum(FAULT_KINDS)).min(1).max(FAULT_KINDS.length).transform((ks) => [...new Set(ks)]),
        seed: z.number().int().min(0).max(2 ** 31 - 1).nullable().meta({ description: 'Same seed, same sequence of faults (per API process); null: random' }),
      })
      .partial(),
  })
  .partial();

export const settingsObject = z.strictObject({
  auto_process: z.strictObject({ enabled: z.boolean(), delay_ms: z.number().int(), success_rate: z.number() }),
  checkout: z.strictObject({ allowed_origins: z.array(z.string()) }),
  faults: z.strictObject({ rate: z.number(), kinds: z.array(z.enum(FAULT_KINDS)), seed: z.number().int().nullable() }),
});

export type SettingsPatch = z.output<typeof settingsSchema>;

const keyHint = z.strictObject({ id: z.string(), type: z.string(), hint: z.string(), created_at: isoTime, expires_at: isoTime.nullable() });

export const tenantObject = z
  .strictObject({
    id: z.string(),
    object: z.literal('tenant'),
    name: z.string(),
    email: z.string(),
    settings: settingsObject,
    disabled: z.boolean(),
    keys: z.array(keyHint),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'Tenant' });

export const registeredObject = tenantObject.extend({
  secret_key: z.string().meta({ description: 'sk_test_…: shown once' }),
  publishable_key: z.string().meta({ description: 'pk_test_…: shown once' }),
  webhook_secret: z.string().meta({ description: 'whsec_…: signs payment webhook_url deliveries and checkout results' }),
});

/** A rotation's answer: the new key of a role, or the fields a face's new key pair answers (`pairFields`). */
export const rotatedKeyObject = (pairTypes: readonly string[], pairFields: Record<string, z.ZodType>) => z.strictObject({
  object: z.literal('api_key'),
  id: z.string(),
  type: z.enum([...KEY_ROLES, ...pairTypes]),
  secret_key: z.string().optional(),
  publishable_key: z.string().optional(),
  ...pairFields,
  old_keys_expire_at: isoTime.meta({ description: 'When the keys this one replaces stop working' }),
});

export const adminTenantsQuery = z.strictObject({
  disabled: z.enum(['true', 'false']).optional(),
  search: z.string().trim().min(1).max(200).optional().meta({ description: 'Part of the name or email, or the exact tenant id' }),
});
export const adminTenantPatch = z.strictObject({
  disabled: z.boolean().optional(),
  rate_limit: z.number().int().min(1).max(10_000_000).nullable().optional(),
});
export const adminTenantObject = tenantObject
  .extend({
    rate_limit: z.number().int().nullable(),
    counts: z.strictObject({ payments: z.number().int(), webhook_endpoints: z.number().int(), dead_deliveries: z.number().int() }),
  })
  .meta({ id: 'AdminTenant' });

import { z } from 'zod';
import { isoTime } from '../core/schemas.ts';
import { LEVELS, RESOURCES, type Resource } from './permissions.ts';

const level = z.enum(LEVELS);

/** One level per resource; a resource left out is `none`. */
export const permissionsInput = z
  .strictObject(Object.fromEntries(RESOURCES.map((r) => [r, level.optional()])) as Record<Resource, z.ZodOptional<typeof level>>)
  .meta({ description: 'A level per resource: "read", "write" (includes read) or "none" (the default for a resource left out)' });

export const permissionsObject = z
  .strictObject(Object.fromEntries(RESOURCES.map((r) => [r, level])) as Record<Resource, typeof level>)
  .meta({ id: 'Permissions' });

/** The restricted variant of POST /auth/keys (the route's body is a union on `type`). */
export const restrictedKeyCreate = z.strictObject({
  type: z.literal('restricted'),
  name: z.string().trim().min(1).max(100).meta({ description: 'What the key is for, e.g. "refund bot"' }),
  permissions: permissionsInput,
  expires_at: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 timestamp' })
    .transform((s) => new Date(s))
    .optional()
    .meta({ description: 'When the key stops working (default: never; revoke it any time)' }),
});

export const restrictedKeyObject = z
  .strictObject({
    object: z.literal('api_key'),
    id: z.string(),
    type: z.literal('restricted'),
    name: z.string(),
    hint: z.string().meta({ description: 'rk_test_…last 4: enough to recognise the key, never to use it' }),
    permissions: permissionsObject,
    created_at: isoTime,
    expires_at: isoTime.nullable(),
    revoked_at: isoTime.nullable(),
  })
  .meta({ id: 'RestrictedKey' });

export const restrictedKeyCreated = restrictedKeyObject.extend({
  secret: z.string().meta({ description: 'rk_test_…: shown once, never stored' }),
});

/** A JWKS document (RFC 7517 §5): only `keys` is read. */
const jwksDocument = z.looseObject({ keys: z.array(z.looseObject({})).min(1).max(50) });

export const jwtKeyCreate = z
  .strictObject({
    kid: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{1,100}$/, 'must be 1 to 100 letters, digits or ._~-')
      .meta({ description: 'The key id your tokens name in their header' }),
    public_key: z.string().max(10_000).optional().meta({ description: 'The public key as PEM (SPKI "BEGIN PUBLIC KEY", or an X.509 certificate)' }),
    jwks: jwksDocument.optional().meta({ description: 'Or a JWKS document: the key whose kid matches (or its only key) is registered' }),
  })
  .superRefine((b, ctx) => {
    if ((b.public_key === undefined) === (b.jwks === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['public_key'], message: 'send either public_key (PEM) or jwks, not both' });
    }
  });

export const jwtKeyObject = z
  .strictObject({
    object: z.literal('jwt_key'),
    kid: z.string(),
    alg: z.string().meta({ description: 'The one algorithm tokens signed with this key may use' }),
    thumbprint: z.string().meta({ description: 'RFC 7638 SHA-256 thumbprint of the key' }),
    jwk: z.looseObject({ kty: z.string() }).meta({ description: 'The public key as a JWK' }),
    created_at: isoTime,
  })
  .meta({ id: 'JwtKey' });

export const kidParams = z.strictObject({
  kid: z.string().regex(/^[A-Za-z0-9._~-]{1,100}$/).meta({ title: 'JWT key', description: 'The kid of a registered key', example: 'backend-1' }),
});

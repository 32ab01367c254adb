import { z } from 'zod';
import { listOf, pageQuery } from '../../../core/schemas.ts';
import { listJwtKeys, registerJwtKey, revokeJwtKey } from '../../../credentials/jwt-keys.ts';
import { restrictedKeyView, revokeRestrictedKey } from '../../../credentials/restricted-keys.ts';
import { listRestrictedKeys } from '../../../credentials/store.ts';
import { jwtKeyCreate, jwtKeyObject, kidParams, restrictedKeyObject } from '../../../credentials/schemas.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Tenants';

/**
 * Restricted keys (made by POST /auth/keys {"type": "restricted"}, in the tenant routes) and the
 * public keys of service tokens. Credentials are the secret key's business alone: none of these
 * routes declares a permission, so a restricted key or a service token can never mint, widen or
 * revoke a credential.
 */
export const credentialRoutes = [
  route({
    method: 'get', path: '/api/v1/auth/keys', auth: 'secret', tag, summary: 'List restricted keys (never their secrets), revoked ones included',
    query: z.strictObject(pageQuery), response: listOf(restrictedKeyObject),
    handler: ({ db, ctx, query: q }) => listRestrictedKeys(db, ctx.tenant.id, pageArgs(q), restrictedKeyView),
  }),
  route({
    method: 'delete', path: '/api/v1/auth/keys/:id', auth: 'secret', tag, write: true, summary: 'Revoke a restricted key (at once)',
    description: 'The next request with the key is a 401. Secret and publishable keys are rotated instead (409 `key_not_revocable`).',
    params: byId('apiKey', 'API key'), response: restrictedKeyObject, errors: [409],
    handler: ({ svc, t, ctx, params: p }) => revokeRestrictedKey(t, svc, ctx, p.id),
  }),
  route({
    method: 'post', path: '/api/v1/auth/jwt-keys', auth: 'secret', tag, write: true, status: 201, errors: [409],
    summary: 'Register a public key for service tokens',
    description:
      'Your backend then calls the API with `Authorization: Bearer <JWT>` signed by the private key: header `kid`; claims `iss` (your tenant id), ' +
      '`aud` (this Sandpay\'s URL), `exp` (at most 15 minutes ahead), `iat`, `jti` (single use) and `scope` ("payments:write refunds:read"). ' +
      'RSA (2048+ bits), EC P-256/P-384 or Ed25519; the algorithm is fixed by the key, never by the token.',
    body: jwtKeyCreate, response: jwtKeyObject,
    example: { kid: 'backend-1', jwks: { keys: [{ kty: 'EC', crv: 'P-256', kid: 'backend-1', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] } },
    handler: ({ svc, t, ctx, body }) => registerJwtKey(t, svc, ctx, body),
  }),
  route({
    method: 'get', path: '/api/v1/auth/jwt-keys', auth: 'secret', tag, summary: 'The public keys registered for service tokens',
    response: listOf(jwtKeyObject),
    handler: ({ db, ctx }) => listJwtKeys(db, ctx.tenant.id),
  }),
  route({
    method: 'delete', path: '/api/v1/auth/jwt-keys/:kid', auth: 'secret', tag, write: true, summary: 'Delete a public key: tokens it signed stop working at once',
    params: kidParams, response: z.strictObject({ object: z.literal('jwt_key'), kid: z.string(), deleted: z.literal(true) }),
    handler: ({ svc, t, ctx, params: p }) => revokeJwtKey(t, svc, ctx, p.kid),
  }),
];

import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { Client, expectError, idemKey, registerTenant, type ApiResponse, type TestTenant } from '../support/client.ts';
import { eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;
let other: TestTenant;
let root: Client;
let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
let rsaPem: { public: string; private: string };
let admin: { private: string };

const now = () => Math.floor(Date.now() / 1000);
const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A token of tenant `t` with key `k1` (ES256), with claims overridden (undefined removes one). */
async function token(claims: Record<string, unknown> = {}, header: { alg?: string; kid?: string } = {}, key: CryptoKey = ec.privateKey): Promise<string> {
  const base: JWTPayload = { iss: t.id, aud: sys.url, iat: now(), exp: now() + 300, jti: randomUUID(), scope: 'payments:write' };
  const payload = Object.fromEntries(Object.entries({ ...base, ...claims }).filter(([, v]) => v !== undefined));
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header }).sign(key);
}

const payWith = (jwt: string): Promise<ApiResponse> =>
  root.post('/api/v1/payments', { amount: 5000, currency: 'INR', method: 'upi', vpa: 'success@sandpay' }, { key: jwt, idem: idemKey() });

const refused = (res: ApiResponse, code: string) => expectError(res, 401, { type: 'authentication_error', code });

beforeAll(async () => {
  ec = await generateKeyPair('ES256', { extractable: true });
  const rsa = await generateKeyPair('RS256', { extractable: true });
  rsaPem = { public: await exportSPKI(rsa.publicKey), private: await exportPKCS8(rsa.privateKey) };
  const op = await generateKeyPair('ES256', { extractable: true });
  admin = { private: await exportPKCS8(op.privateKey) };
  // As a .env file would hold it: one line, newlines written \n.
  sys = await startTestSystem({ ADMIN_JWT_PUBLIC_KEY: (await exportSPKI(op.publicKey)).replace(/\n/g, '\\n') });
  root = new Client(sys.url);
  t = await registerTenant(sys.url, 'Backend');
  other = await registerTenant(sys.url, 'Other');
  const jwk = { ...(await exportJWK(ec.publicKey)), kid: 'k1' };
  expect((await t.api.post('/auth/jwt-keys', { kid: 'k1', jwks: { keys: [jwk] } })).status).toBe(201);
  expect((await t.api.post('/auth/jwt-keys', { kid: 'rsa1', public_key: rsaPem.public })).status).toBe(201);
});
afterAll(() => sys?.stop());

describe('registering public keys', () => {
  it('lists them with their algorithm and thumbprint, never anything private', async () => {
    const list = await t.api.get('/auth/jwt-keys');
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: any) => [k.kid, k.alg])).toEqual([['rsa1', 'RS256'], ['k1', 'ES256']]);
    expect(list.body.data[1].jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(list.body.data[1].jwk.d).toBeUndefined();
    expect(list.body.data[1].thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses private keys, weak or symmetric keys, a kid missing from the JWKS, a taken kid, and both or neither forms', async () => {
    expectError(await t.api.post('/auth/jwt-keys', { kid: 'p', public_key: rsaPem.private }), 400, { code: 'private_key_sent', param: 'public_key' });
    const priv = await exportJWK(ec.privateKey);
    expectError(await t.api.post('/auth/jwt-keys', { kid: 'p', jwks: { keys: [{ ...priv, kid: 'p' }] } }), 400, { code: 'private_key_sent' });
    expectError(await t.api.post('/auth/jwt-keys', { kid: 'h', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] } }), 400, { code: 'private_key_sent' });
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expectError(await t.api.post('/auth/jwt-keys', { kid: 'w', public_key: weak }), 400, { code: 'key_too_weak' });
    expectError(await t.api.post('/auth/jwt-keys', { kid: 'x', public_key: 'not a key' }), 400, { code: 'public_key_invalid' });
    expectError(await t.api.post('/auth/jwt-keys', { kid: 'zz', jwks: { keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'k1' }] } }), 400, { code: 'kid_not_in_jwks' });
    expectError(await t.api.post('/auth/jwt-keys', { kid: 'k1', public_key: rsaPem.public }), 409, { code: 'kid_taken', param: 'kid' });
    expectError(await t.api.post('/auth/jwt-keys', { kid: 'n' }), 400, { param: 'public_key' });
    expectError(await t.api.post('/auth/jwt-keys', { kid: 'n', public_key: rsaPem.public, jwks: { keys: [{}] } }), 400, { param: 'public_key' });
  });

  it('keeps to 20 active keys however many registrations race', async () => {
    // Each trial a fresh tenant and 30 registrations at once; several trials, as one race may happen to run in turn.
    for (let trial = 0; trial < 5; trial++) {
      const fresh = await registerTenant(sys.url, `Racing ${trial}`);
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => fresh.api.post('/auth/jwt-keys', { kid: `race-${i}`, public_key: rsaPem.public })));
      expect(answers.filter((r) => r.status === 201), `trial ${trial}`).toHaveLength(20);
      for (const res of answers.filter((r) => r.status !== 201)) expectError(res, 409, { code: 'too_many_keys' });
      expect((await fresh.api.get('/auth/jwt-keys')).body.data).toHaveLength(20);
    }
  });

  it('a private key sent by mistake is not kept in the request log either', async () => {
    const res = await t.api.post('/auth/jwt-keys', { kid: 'p2', public_key: rsaPem.private, jwks: undefined });
    expectError(res, 400, { code: 'private_key_sent' });
    const rows = await eventually(
      () => sys.sql<{ request_body: string }>('SELECT request_body FROM request_log WHERE request_id = $1', [res.headers.get('x-request-id')]),
      (r) => r.length === 1,
    );
    const material = rsaPem.private.split('\n')[3]!;
    expect(rows[0]!.request_body).toContain('[REDACTED PRIVATE KEY]');
    expect(rows[0]!.request_body).not.toContain(material);
  });
});

describe('a service token', () => {
  it('works: a payment created with it, recorded as made by kid:jti', async () => {
    const jti = randomUUID();
    const res = await payWith(await token({ jti }));
    expect(res.status, res.text).toBe(201);
    expect(res.body.status).toBe('success');
    const rows = await sys.sql<{ actor_type: string; actor_id: string }>("SELECT actor_type, actor_id FROM audit_log WHERE object_id = $1 AND action = 'payment.created'", [res.body.id]);
    expect(rows).toEqual([{ actor_type: 'service_token', actor_id: `k1:${jti}` }]);
  });

  it('works as the README example signs it (jose, an RSA key from PEM, aud with a trailing slash)', async () => {
    const key = await importPKCS8(rsaPem.private, 'RS256');
    const jwt = await new SignJWT({ scope: 'payments:read' }).setProtectedHeader({ alg: 'RS256', kid: 'rsa1' }).setIssuer(t.id)
      .setAudience(`${sys.url}/`).setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(key);
    expect((await root.get('/api/v1/payments', { key: jwt })).status).toBe(200);
  });

  it('may do only what its scope says', async () => {
    const res = await root.get('/api/v1/refunds', { key: await token({ scope: 'payments:read orders:write' }) });
    expectError(res, 403, { type: 'permission_error', code: 'missing_permission' });
    expect(res.body.error.message).toBe('This service token lacks the refunds:read permission');
    expect((await root.get('/api/v1/orders', { key: await token({ scope: 'payments:read orders:write' }) })).status).toBe(200);
  }, 30_000);

  it.each([
    ['expired', { iat: now() - 600, exp: now() - 120 }, 'token_expired'],
    ['issued in the future', { iat: now() + 300, exp: now() + 600 }, 'token_not_yet_valid'],
    ['not valid before a future nbf', { nbf: now() + 300 }, 'token_not_yet_valid'],
    ['valid for more than 15 minutes', { exp: now() + 3600 }, 'token_lifetime_too_long'],
    ['for another audience', { aud: 'https://api.example.com' }, 'token_audience_invalid'],
    ['from an issuer that is no tenant', { iss: 'https://issuer.example' }, 'token_issuer_invalid'],
    ['without a jti', { jti: undefined }, 'token_claim_missing'],
    ['without an exp', { exp: undefined }, 'token_claim_missing'],
    ['with a scope that is not resource:level', { scope: 'payments:admin' }, 'token_scope_invalid'],
  ])('is refused when %s', async (_what, claims, code) => {
    refused(await payWith(await token(claims)), code);
  });

  it("is refused when it names another tenant as issuer (that tenant has no such key)", async () => {
    refused(await payWith(await token({ iss: other.id })), 'token_kid_unknown');
  });

  it('is refused with an unknown kid, or without one', async () => {
    refused(await payWith(await token({}, { kid: 'nope' })), 'token_kid_unknown');
    const noKid = await new SignJWT({ iss: t.id, aud: sys.url, iat: now(), exp: now() + 60, jti: randomUUID(), scope: 'payments:write' }).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey);
    refused(await payWith(noKid), 'token_kid_missing');
  });

  it('is refused with alg none', async () => {
    const claims = { iss: t.id, aud: sys.url, iat: now(), exp: now() + 60, jti: randomUUID(), scope: 'payments:write' };
    refused(await payWith(`${b64url({ alg: 'none', kid: 'k1' })}.${b64url(claims)}.`), 'token_algorithm_not_allowed');
  });

  it('is refused when HS256-signed with the public key as the secret', async () => {
    const claims = { iss: t.id, aud: sys.url, iat: now(), exp: now() + 60, jti: randomUUID(), scope: 'payments:write' };
    const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT', kid: 'rsa1' })}.${b64url(claims)}`;
    const forged = `${signingInput}.${createHmac('sha256', rsaPem.public).update(signingInput).digest('base64url')}`;
    refused(await payWith(forged), 'token_algorithm_not_allowed');
  });

  it('is refused when its header names another algorithm than its key signs with', async () => {
    const rsaKey = await importPKCS8(rsaPem.private, 'RS256');
    refused(await payWith(await token({}, { alg: 'RS256', kid: 'k1' }, rsaKey)), 'token_algorithm_not_allowed');
  });

  it('is refused when its payload was changed after signing', async () => {
    const [h, , s] = (await token({ scope: 'payments:read' })).split('.');
    const widened = { iss: t.id, aud: sys.url, iat: now(), exp: now() + 300, jti: randomUUID(), scope: 'payments:write refunds:write' };
    refused(await payWith(`${h}.${b64url(widened)}.${s}`), 'token_signature_invalid');
    refused(await payWith('eyJhbGciOiJFUzI1NiJ9.e30'), 'invalid_api_key');
    refused(await payWith('eyJhbGciOiJFUzI1NiJ9.%%%.x'), 'invalid_api_key');
    refused(await payWith('bm90IGpzb24.bm90IGpzb24.sig'), 'token_malformed');
  });

  it('works once: a replayed jti is refused', async () => {
    const jwt = await token({ scope: 'payments:read' });
    expect((await root.get('/api/v1/payments', { key: jwt })).status).toBe(200);
    refused(await root.get('/api/v1/payments', { key: jwt }), 'token_replayed');
    expect(await sys.sql('SELECT 1 FROM jwt_replay WHERE issuer = $1', [t.id])).not.toHaveLength(0);
  });

  it('stops working at once when its key is deleted; never manages credentials', async () => {
    expectError(await root.post('/api/v1/auth/keys', { type: 'restricted', name: 'x', permissions: {} }, { key: await token({ scope: 'payments:write refunds:write orders:write webhooks:write events:write fraud_rules:write audit:write' }) }), 403, { code: 'secret_key_required' });
    expect((await t.api.delete('/auth/jwt-keys/rsa1')).body).toEqual({ object: 'jwt_key', kid: 'rsa1', deleted: true });
    const key = await importPKCS8(rsaPem.private, 'RS256');
    refused(await payWith(await token({}, { alg: 'RS256', kid: 'rsa1' }, key)), 'token_kid_unknown');
    expectError(await t.api.delete('/auth/jwt-keys/rsa1'), 404, { code: 'resource_missing' });
  });
});

describe("an operator's service token (ADMIN_JWT_PUBLIC_KEY)", () => {
  const adminToken = async (claims: Record<string, unknown> = {}) =>
    new SignJWT({ iss: 'admin', aud: sys.url, iat: now(), exp: now() + 300, jti: randomUUID(), scope: 'admin', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'ops-1' }).sign(await importPKCS8(admin.private, 'ES256'));

  it('works on admin routes, and the audit trail names it', async () => {
    expect((await root.get('/api/v1/admin/tenants', { key: await adminToken() })).status).toBe(200);
    const jti = randomUUID();
    const res = await root.patch(`/api/v1/admin/tenants/${other.id}`, { rate_limit: 500 }, { key: await adminToken({ jti }) });
    expect(res.status, res.text).toBe(200);
    const rows = await sys.sql<{ actor_type: string; actor_id: string }>('SELECT actor_type, actor_id FROM audit_log WHERE object_id = $1 ORDER BY id DESC LIMIT 1', [other.id]);
    expect(rows).toEqual([{ actor_type: 'admin', actor_id: `ops-1:${jti}` }]);
  });

  it('needs the admin scope, is single-use, and is no tenant credential', async () => {
    expectError(await root.get('/api/v1/admin/tenants', { key: await adminToken({ scope: 'payments:read' }) }), 403, { code: 'admin_scope_required' });
    const once = await adminToken();
    expect((await root.get('/api/v1/admin/jobs', { key: once })).status).toBe(200);
    refused(await root.get('/api/v1/admin/jobs', { key: once }), 'token_replayed');
    refused(await root.get('/api/v1/payments', { key: await adminToken() }), 'token_issuer_invalid');
  });

  it("refuses a tenant's valid token with 403, and a forged operator token with 401", async () => {
    expectError(await root.get('/api/v1/admin/tenants', { key: await token() }), 403, { code: 'admin_only' });
    const forged = new SignJWT({ iss: 'admin', aud: sys.url, iat: now(), exp: now() + 300, jti: randomUUID(), scope: 'admin' }).setProtectedHeader({ alg: 'ES256', kid: 'ops-1' });
    refused(await root.get('/api/v1/admin/tenants', { key: await forged.sign(ec.privateKey) }), 'token_signature_invalid');
  });
});

describe('ADMIN_JWT_PUBLIC_KEY', () => {
  it('stops start-up with one line naming it when it is not a public key', () => {
    expect(() => loadConfig({ ADMIN_JWT_PUBLIC_KEY: 'nope' })).toThrow(/^Invalid configuration: ADMIN_JWT_PUBLIC_KEY must be a PEM public key or a JWKS document/);
    expect(() => loadConfig({ ADMIN_JWT_PUBLIC_KEY: admin.private })).toThrow(/private key/);
    // A private key pasted there by mistake is never echoed.
    expect(() => loadConfig({ ADMIN_JWT_PUBLIC_KEY: admin.private })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('BEGIN') }));
    expect(() => loadConfig({ ADMIN_JWT_PUBLIC_KEY: '{"keys":[]}' })).toThrow(/ADMIN_JWT_PUBLIC_KEY/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, registerTenant, type TestTenant } from '../support/client.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let api: Client;

beforeAll(async () => {
  sys = await startTestSystem();
  api = new Client(sys.url + '/api/v1');
});
afterAll(() => sys?.stop());

describe('POST /auth/register', () => {
  it('returns the tenant and its keys once, and stores only hashes of the API keys', async () => {
    const res = await api.post('/auth/register', { name: 'Acme', email: 'Owner@Acme.test' });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^ten_[0-9A-Za-z]{20}$/);
    expect(res.body.email).toBe('owner@acme.test');
    expect(res.body.secret_key).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    expect(res.body.publishable_key).toMatch(/^pk_test_[0-9A-Za-z]{32}$/);
    expect(res.body.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    // The same key hints /auth/me shows, never the keys themselves.
    expect(res.body.keys.map((k: any) => k.type).sort()).toEqual(['publishable', 'secret']);
    expect(JSON.stringify(res.body.keys)).not.toContain(res.body.secret_key);

    const stored = await sys.sql<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE tenant_id = $1', [res.body.id]);
    expect(stored).toHaveLength(2);
    const dump = JSON.stringify(await sys.sql('SELECT * FROM api_keys'));
    expect(dump).not.toContain(res.body.secret_key);
    expect(dump).not.toContain(res.body.publishable_key);
  });

  it('refuses a second tenant with the same email (any case) with 409', async () => {
    await api.post('/auth/register', { name: 'One', email: 'dupe@example.com' });
    expectError(await api.post('/auth/register', { name: 'Two', email: 'DUPE@example.com' }), 409, { code: 'email_taken', param: 'email' });
  });

  it.each([
    [{ email: 'a@b.test' }, 'parameter_missing', 'name'],
    [{ name: 'x', email: 'not-an-email' }, 'parameter_invalid', 'email'],
    [{ name: '', email: 'a@b.test' }, 'parameter_invalid', 'name'],
    [{ name: 'x', email: 'a@b.test', plan: 'gold' }, 'parameter_unknown', 'plan'],
    [{ name: 7, email: 'a@b.test' }, 'parameter_invalid', 'name'],
  ])('validates %j', async (body, code, param) => {
    const res = await api.post('/auth/register', body);
    expectError(res, 400, { type: 'invalid_request_error', code, param });
    // Sandpay's own words, never the validation library's ("Invalid input: expected string, received number").
    expect(res.body.error.message).not.toMatch(/Invalid input|expected \w+, received|Too (big|small)/);
  });
});

describe('tenant authentication', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await registerTenant(sys.url);
  });

  it('GET /auth/me shows the tenant without any secret', async () => {
    const res = await t.api.get('/auth/me');
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(t.id);
    expect(res.body.keys.map((k: { type: string }) => k.type).sort()).toEqual(['publishable', 'secret']);
    expect(res.text).not.toContain(t.sk);
    expect(res.text).not.toContain(t.pk);
    expect(res.text).not.toContain(t.whsec);
  });

  it('answers 401 for a missing, malformed, unknown or admin credential', async () => {
    expectError(await api.get('/auth/me', { key: null }), 401, { type: 'authentication_error', code: 'missing_api_key' });
    expectError(await api.get('/auth/me', { headers: { authorization: `Basic ${t.sk}` } }), 401, { code: 'invalid_authorization_header' });
    expectError(await api.get('/auth/me', { key: 'sk_test_' + 'x'.repeat(32) }), 401, { code: 'invalid_api_key' });
    expectError(await api.get('/auth/me', { key: ADMIN_TOKEN }), 401, { code: 'invalid_api_key' });
  });

  it('refuses the publishable key where a secret key is needed with 403', async () => {
    expectError(await api.get('/auth/me', { key: t.pk }), 403, { type: 'permission_error', code: 'secret_key_required' });
  });

  it('rotates the secret key: the new one works, the old one is 401 at once', async () => {
    const other = await registerTenant(sys.url);
    const res = await other.api.post('/auth/keys/rotate');
    expect(res.status).toBe(200);
    // Named as register names it; no generic `key` field.
    expect(res.body).toMatchObject({ object: 'api_key', type: 'secret', secret_key: expect.stringMatching(/^sk_test_/) });
    expect(res.body.key).toBeUndefined();
    expect(res.body.secret_key).not.toBe(other.sk);
    expectError(await other.api.get('/auth/me'), 401, { code: 'invalid_api_key' });
    expect((await other.api.withKey(res.body.secret_key).get('/auth/me')).status).toBe(200);
    // The publishable key is untouched by a secret rotation.
    const pkStill = await sys.sql('SELECT 1 FROM api_keys WHERE tenant_id = $1 AND type = $2 AND revoked_at IS NULL', [other.id, 'publishable']);
    expect(pkStill).toHaveLength(1);
    // The rotation is in the audit log.
    const audit = await sys.sql<{ action: string }>('SELECT action FROM audit_log WHERE tenant_id = $1 ORDER BY id', [other.id]);
    expect(audit.map((a) => a.action)).toEqual(['tenant.created', 'api_key.rotated']);
  });

  it('rotates the publishable key on request', async () => {
    const other = await registerTenant(sys.url);
    const res = await other.api.post('/auth/keys/rotate', { type: 'publishable' });
    expect(res.body.publishable_key).toMatch(/^pk_test_/);
    const stale = await other.api.post('/auth/keys/rotate', { type: 'publishable' }, { key: other.pk });
    expectError(stale, 401, { code: 'invalid_api_key' });
  });

  it('rolls a key: with expire_old_in the old key keeps working until then, and /auth/me shows when it ends', async () => {
    const other = await registerTenant(sys.url);
    const res = await other.api.post('/auth/keys/rotate', { type: 'secret', expire_old_in: 3600 });
    expect(res.status).toBe(200);
    const ends = Date.parse(res.body.old_keys_expire_at);
    expect(ends).toBeGreaterThan(Date.now() + 3500_000);
    const me = await other.api.get('/auth/me');
    expect(me.status).toBe(200);
    const secrets = me.body.keys.filter((k: any) => k.type === 'secret');
    expect(secrets).toHaveLength(2);
    expect(secrets.filter((k: any) => k.expires_at !== null)).toHaveLength(1);
    // Rotating again with no overlap ends both earlier keys at once.
    const again = await other.api.withKey(res.body.secret_key).post('/auth/keys/rotate', { type: 'secret' });
    expectError(await other.api.get('/auth/me'), 401, { code: 'invalid_api_key' });
    expectError(await other.api.withKey(res.body.secret_key).get('/auth/me'), 401, { code: 'invalid_api_key' });
    expect((await other.api.withKey(again.body.secret_key).get('/auth/me')).body.keys.filter((k: any) => k.type === 'secret')).toHaveLength(1);
  });

  it('updates the test-mode settings with validation', async () => {
    const res = await t.api.patch('/auth/settings', { auto_process: { enabled: true, delay_ms: 500 } });
    expect(res.status).toBe(200);
    expect(res.body.settings.auto_process).toEqual({ enabled: true, delay_ms: 500, success_rate: 1 });
    expectError(await t.api.patch('/auth/settings', { auto_process: { success_rate: 2 } }), 400, { param: 'auto_process.success_rate' });
    expectError(await t.api.patch('/auth/settings', { colour: 'red' }), 400, { code: 'parameter_unknown', param: 'colour' });
  });
});

describe('admin authentication', () => {
  it('answers 401 without the admin token and 403 with a tenant key', async () => {
    const t = await registerTenant(sys.url);
    expectError(await api.get('/admin/tenants', { key: null }), 401, { type: 'authentication_error' });
    expectError(await api.get('/admin/tenants', { key: 'wrong-token-wrong-token' }), 401, { code: 'invalid_admin_token' });
    expectError(await api.get('/admin/tenants', { key: t.sk }), 403, { type: 'permission_error', code: 'admin_only' });
    expectError(await api.get('/admin/tenants', { key: t.pk }), 403, { type: 'permission_error' });
  });
});

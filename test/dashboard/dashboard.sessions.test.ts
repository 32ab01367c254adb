import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { cardBody, createPayment } from '../support/payments.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

/** Dashboard sessions over plain HTTP: cookie attributes, CSRF, scopes, sign-out and rotation. */

let sys: TestSystem;
let a: TestTenant;
let b: TestTenant;
let root: Client;

beforeAll(async () => {
  sys = await startTestSystem();
  a = await registerTenant(sys.url, 'A');
  b = await registerTenant(sys.url, 'B');
  root = new Client(sys.url);
});
afterAll(() => sys?.stop());

interface Signed {
  cookie: string;
  csrf: string;
  setCookie: string;
  body: any;
}

async function signIn(key: string): Promise<Signed> {
  const res = await root.post('/api/v1/dashboard/session', { key }, { key: null });
  expect(res.status, res.text).toBe(201);
  const setCookie = res.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0]!, csrf: res.body.csrf_token, setCookie, body: res.body };
}

const withSession = (s: Signed, extra: Record<string, string> = {}) => ({ key: null, headers: { cookie: s.cookie, ...extra } });

describe('dashboard sessions', () => {
  it('signs a tenant in with its secret key: an HttpOnly, SameSite=Strict cookie (not Secure over plain HTTP)', async () => {
    const s = await signIn(a.sk);
    expect(s.setCookie).toMatch(/^sandpay_session=[0-9A-Za-z]{43};/);
    expect(s.setCookie).toMatch(/HttpOnly/);
    expect(s.setCookie).toMatch(/SameSite=Strict/);
    expect(s.setCookie).toMatch(/Path=\//);
    expect(s.setCookie).not.toMatch(/Secure/);
    expect(s.body).toMatchObject({ object: 'dashboard_session', kind: 'tenant', tenant: { id: a.id } });
    // The cookie is never stored: only its hash.
    const rows = await sys.sql<{ token_hash: string }>('SELECT token_hash FROM dashboard_sessions WHERE id = $1', [s.body.id]);
    expect(rows[0]!.token_hash).not.toContain(s.cookie.split('=')[1]);
  });

  it('the session works on secret-key routes; writes need the CSRF token', async () => {
    const s = await signIn(a.sk);
    expect((await root.get('/api/v1/payments', withSession(s))).status).toBe(200);
    const noCsrf = await root.post('/api/v1/payments', cardBody(), { ...withSession(s), idem: idemKey() });
    expectError(noCsrf, 403, { code: 'csrf_token_invalid' });
    const wrongCsrf = await root.post('/api/v1/payments', cardBody(), { ...withSession(s, { 'x-csrf-token': `${s.csrf.slice(0, -2)}xx` }), idem: idemKey() });
    expectError(wrongCsrf, 403, { code: 'csrf_token_invalid' });
    const ok = await root.post('/api/v1/payments', cardBody(), { ...withSession(s, { 'x-csrf-token': s.csrf }), idem: idemKey() });
    expect(ok.status, ok.text).toBe(201);
    // Audited as the dashboard session.
    const audit = await a.api.get(`/payments/${ok.body.id}/audit`);
    expect(audit.body.data[0].actor).toEqual({ type: 'dashboard', id: s.body.id });
  });

  it("a tenant session sees only its tenant: another tenant's payment is a 404, operator routes a 403", async () => {
    const s = await signIn(a.sk);
    const theirs = await createPayment(b.api);
    expectError(await root.get(`/api/v1/payments/${theirs.id}`, withSession(s)), 404, { code: 'resource_missing' });
    expectError(await root.get('/api/v1/admin/tenants', withSession(s)), 403, { code: 'admin_only' });
    expectError(await root.get('/api/v1/admin/dlq', withSession(s)), 403);
  });

  it('an operator signs in with the admin token and sees operator routes only', async () => {
    const s = await signIn(ADMIN_TOKEN);
    expect(s.body).toMatchObject({ kind: 'operator', tenant: null });
    expect((await root.get('/api/v1/admin/tenants', withSession(s))).status).toBe(200);
    expectError(await root.get('/api/v1/payments', withSession(s)), 403, { code: 'tenant_only' });
    const patch = await root.patch(`/api/v1/admin/tenants/${b.id}`, { rate_limit: 500 }, withSession(s));
    expectError(patch, 403, { code: 'csrf_token_invalid' });
    const ok = await root.patch(`/api/v1/admin/tenants/${b.id}`, { rate_limit: 500 }, withSession(s, { 'x-csrf-token': s.csrf }));
    expect(ok.status, ok.text).toBe(200);
  });

  it('refuses the publishable key, unknown keys and a sign-in posted from another origin', async () => {
    expectError(await root.post('/api/v1/dashboard/session', { key: a.pk }, { key: null }), 401, { code: 'secret_key_required' });
    expectError(await root.post('/api/v1/dashboard/session', { key: 'sk_test_nope' }, { key: null }), 401, { code: 'invalid_api_key' });
    expectError(await root.post('/api/v1/dashboard/session', { key: 'whatever-token-1234' }, { key: null }), 401, { code: 'invalid_credentials' });
    expectError(await root.post('/api/v1/dashboard/session', { key: a.sk }, { key: null, headers: { origin: 'https://evil.example' } }), 403, { code: 'cross_origin_sign_in' });
  });

  it('an Authorization header wins over the cookie', async () => {
    const s = await signIn(a.sk);
    const res = await root.get('/api/v1/auth/me', { key: b.sk, headers: { cookie: s.cookie } });
    expect(res.body.id).toBe(b.id);
  });

  it('sign-out ends the session (and needs the CSRF token)', async () => {
    const s = await signIn(a.sk);
    expect((await root.get('/api/v1/dashboard/session', withSession(s))).body.csrf_token).toBe(s.csrf);
    expectError(await root.delete('/api/v1/dashboard/session', withSession(s)), 403, { code: 'csrf_token_invalid' });
    const out = await root.delete('/api/v1/dashboard/session', withSession(s, { 'x-csrf-token': s.csrf }));
    expect(out.status, out.text).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/sandpay_session=;/);
    expectError(await root.get('/api/v1/dashboard/session', withSession(s)), 401, { code: 'session_expired' });
    expectError(await root.get('/api/v1/payments', withSession(s)), 401, { code: 'session_expired' });
  });

  it("rotating the secret key ends the sessions signed in with it; the new key's session works", async () => {
    const t = await registerTenant(sys.url, 'Rotating');
    const s1 = await signIn(t.sk);
    const s2 = await signIn(t.sk);
    const rotated = await t.api.post('/auth/keys/rotate', { type: 'secret' });
    expect(rotated.status, rotated.text).toBe(200);
    for (const s of [s1, s2]) expectError(await root.get('/api/v1/payments', withSession(s)), 401, { code: 'session_expired' });
    const fresh = await signIn(rotated.body.secret_key);
    expect((await root.get('/api/v1/payments', withSession(fresh))).status).toBe(200);
  });

  it('a disabled tenant cannot sign in, and its sessions stop working', async () => {
    const t = await registerTenant(sys.url, 'Disabled');
    const s = await signIn(t.sk);
    await root.patch(`/api/v1/admin/tenants/${t.id}`, { disabled: true }, { key: ADMIN_TOKEN });
    expectError(await root.get('/api/v1/payments', withSession(s)), 403, { code: 'tenant_disabled' });
    expectError(await root.post('/api/v1/dashboard/session', { key: t.sk }, { key: null }), 401, { code: 'tenant_disabled' });
  });
});

describe('dashboard pages', () => {
  it('serves the shell for every dashboard URL with a strict CSP and no CDN', async () => {
    for (const path of ['/dashboard', '/dashboard/payments/pay_x', '/dashboard/operator/dlq']) {
      const res = await fetch(sys.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const text = await res.text();
      expect(text).toContain('/dashboard/assets/app.js');
      expect(text).not.toMatch(/https?:\/\//);
      expect(text).not.toMatch(/<script>(?!<)/);
    }
    for (const file of ['preact.js', 'hooks.js', 'htm.js', 'uplot.js', 'uplot.css']) {
      const res = await fetch(`${sys.url}/dashboard/vendor/${file}`);
      expect(res.status, file).toBe(200);
      expect(await res.text()).not.toMatch(/from\s*["']preact["']/);
    }
    expect((await fetch(`${sys.url}/dashboard/assets/app.js`)).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, registerTenant, type TestTenant } from '../support/client.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let root: Client;
let tenant: TestTenant;

beforeAll(async () => {
  sys = await startTestSystem();
  root = new Client(sys.url);
  tenant = await registerTenant(sys.url);
});
afterAll(() => sys?.stop());

describe('HTTP edge', () => {
  it('answers liveness without the database and readiness with it', async () => {
    expect((await root.get('/health')).body).toEqual({ status: 'ok' });
    const ready = await root.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: true, migrations: true, jobs: true });
    // Detail (server version, job counts across tenants) is for the operator only.
    for (const path of ['/api/v1/health/db', '/api/v1/test/jobs/status']) {
      expectError(await root.get(path), 401, { type: 'authentication_error' });
      expectError(await root.get(path, { key: tenant.sk }), 403, { type: 'permission_error' });
    }
    const db = await root.get('/api/v1/health/db', { key: ADMIN_TOKEN });
    expect(db.status).toBe(200);
    expect(db.body.migrations.applied).toBe(db.body.migrations.expected);
    expect((await root.get('/api/v1/test/jobs/status', { key: ADMIN_TOKEN })).body.worker_status).toBe('running');
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    const res = await tenant.api.request('PUT', '/payments');
    expectError(res, 405, { type: 'invalid_request_error', code: 'method_not_allowed' });
    expect(res.headers.get('allow')).toBe('POST, GET');
    const one = await tenant.api.request('POST', '/payments/pay_00000000000000000000');
    expect(one.status).toBe(405);
    expect(one.headers.get('allow')).toBe('GET, PATCH');
  });

  it('generates a request id, or echoes a well-formed one', async () => {
    const generated = await root.get('/health');
    expect(generated.headers.get('x-request-id')).toMatch(/^req_[0-9A-Za-z]{20}$/);
    const echoed = await root.get('/health', { headers: { 'X-Request-Id': 'client-trace-42' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-trace-42');
    const invalid = await root.get('/health', { headers: { 'X-Request-Id': 'has spaces in it' } });
    expect(invalid.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('answers malformed JSON with 400 in the error shape', async () => {
    const res = await tenant.api.request('POST', '/auth/keys/rotate', { rawBody: '{"type": "secret",' });
    expectError(res, 400, { type: 'invalid_request_error', code: 'invalid_json' });
  });

  it('answers a body over 100 kB with 413 in the error shape', async () => {
    const res = await root.post('/api/v1/auth/register', { name: 'x'.repeat(101 * 1024), email: 'big@example.com' });
    expectError(res, 413, { type: 'invalid_request_error', code: 'request_too_large' });
  });

  it('refuses a non-JSON body with 415', async () => {
    const res = await root.request('POST', '/api/v1/auth/register', {
      rawBody: 'name=x&email=y',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(res, 415, { code: 'unsupported_media_type' });
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    expectError(await tenant.api.get('/no-such-thing'), 404, { type: 'invalid_request_error', code: 'route_not_found' });
    expectError(await root.get('/nope'), 404, { code: 'route_not_found' });
  });

  it('sets security headers and no x-powered-by', async () => {
    const res = await root.get('/health');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, registerTenant, type TestTenant } from '../support/client.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

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
    const db = await root.get('/api/v1/health/db');
    expect(db.status).toBe(200);
    expect(db.body.migrations.applied).toBe(db.body.migrations.expected);
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

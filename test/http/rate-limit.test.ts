import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { Client, expectError, registerTenant } from '../support/client.ts';
import { ADMIN_TOKEN, startTestSystem, testEnv, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let second: Runtime;

beforeAll(async () => {
  const env = { RATE_LIMIT_TENANT_MAX: '5', RATE_LIMIT_REGISTER_MAX: '4', RATE_LIMIT_WINDOW_MS: '60000' };
  sys = await startTestSystem(env);
  // A second API process on the same database: limits must be shared, not per process.
  const config = loadConfig(testEnv(sys.databaseUrl, { ...env, SANDPAY_ROLE: 'api' }));
  second = await startRuntime(config, createLogger('silent'));
});
afterAll(async () => {
  await second?.stop();
  await sys?.stop();
});

describe('rate limits', () => {
  it('limits each tenant across API processes, with 429, Retry-After and RateLimit headers', async () => {
    const t = await registerTenant(sys.url);
    const viaSecond = new Client(second.url! + '/api/v1', t.sk);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await (i % 2 ? viaSecond : t.api).get('/auth/me')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const limited = await viaSecond.get('/auth/me');
    expectError(limited, 429, { type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-policy')).toMatch(/q=5/);
    expect(limited.headers.get('ratelimit')).toMatch(/r=0/);

    // Keyed by tenant, not IP: another tenant from the same address is unaffected.
    const other = await registerTenant(sys.url);
    expect((await other.api.get('/auth/me')).status).toBe(200);
  });

  it('honours a per-tenant limit set by the operator', async () => {
    const t = await registerTenant(sys.url);
    expect((await new Client(sys.url + '/api/v1', ADMIN_TOKEN).patch(`/admin/tenants/${t.id}`, { rate_limit: 2 })).status).toBe(200);
    expect((await t.api.get('/auth/me')).status).toBe(200);
    expect((await t.api.get('/auth/me')).status).toBe(200);
    expectError(await t.api.get('/auth/me'), 429, { type: 'rate_limit_error' });
  });

  it('limits registration per client IP', async () => {
    // Earlier registrations in this file count too; keep going until the limit answers.
    const root = new Client(sys.url + '/api/v1');
    let res;
    for (let i = 0; i < 10; i++) {
      res = await root.post('/auth/register', { name: 'x', email: `ip-${i}-${Date.now()}@example.com` });
      if (res.status === 429) break;
    }
    expectError(res!, 429, { type: 'rate_limit_error' });
  });
});

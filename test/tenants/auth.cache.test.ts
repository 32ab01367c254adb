import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { Client, expectError, registerTenant } from '../support/client.ts';
import { eventually } from '../support/payments.ts';
import { ADMIN_TOKEN, startTestSystem, testEnv, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let second: Runtime;

beforeAll(async () => {
  sys = await startTestSystem();
  // A second API process on the same database, with its own key cache.
  second = await startRuntime(loadConfig(testEnv(sys.databaseUrl, { SANDPAY_ROLE: 'api' })), createLogger('silent'));
});
afterAll(async () => {
  await second?.stop();
  await sys?.stop();
});

/** Polls until the key is refused, and answers how long that took (the cache's NOTIFY, not a TTL). */
async function refusedWithin(api: Client): Promise<number> {
  const started = performance.now();
  await eventually(() => api.get('/auth/me'), (r) => r.status === 401 || r.status === 403, 1000);
  return performance.now() - started;
}

describe('the per-process key cache', () => {
  it('a rotated secret key stops working at once in the process that rotated it, and within a second in another', async () => {
    const t = await registerTenant(sys.url);
    const viaSecond = new Client(second.url! + '/api/v1', t.sk);
    // Both processes now hold the key in their caches.
    expect((await t.api.get('/auth/me')).status).toBe(200);
    expect((await viaSecond.get('/auth/me')).status).toBe(200);
    expect((await t.api.post('/auth/keys/rotate', { type: 'secret' })).status).toBe(200);
    expectError(await t.api.get('/auth/me'), 401, { code: 'invalid_api_key' });
    expect(await refusedWithin(viaSecond)).toBeLessThan(1000);
  });

  it('a revoked restricted key and a disabled tenant are refused in the other process within a second', async () => {
    const t = await registerTenant(sys.url);
    const rk = await t.api.post('/auth/keys', { type: 'restricted', name: 'reader', permissions: { payments: 'read' } }, { idem: `rk-${Date.now()}` });
    expect(rk.status, rk.text).toBe(201);
    const restricted = new Client(second.url! + '/api/v1', rk.body.secret);
    expect((await restricted.get('/payments?limit=1')).status).toBe(200);
    expect((await t.api.delete(`/auth/keys/${rk.body.id}`, { idem: `del-${Date.now()}` })).status).toBeLessThan(300);
    await eventually(() => restricted.get('/payments?limit=1'), (r) => r.status === 401, 1000);

    const viaSecond = new Client(second.url! + '/api/v1', t.sk);
    expect((await viaSecond.get('/auth/me')).status).toBe(200);
    expect((await new Client(sys.url + '/api/v1', ADMIN_TOKEN).patch(`/admin/tenants/${t.id}`, { disabled: true })).status).toBe(200);
    expect(await refusedWithin(viaSecond)).toBeLessThan(1000);
  });
});

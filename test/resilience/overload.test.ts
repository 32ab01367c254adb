import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { cardBody } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;
beforeAll(async () => {
  // A pool of 4 and a bound on requests in flight: far more requests than connections.
  sys = await startTestSystem({ DB_POOL_MAX: '4', DB_CONNECT_TIMEOUT_MS: '1000', MAX_INFLIGHT_REQUESTS: '100', RATE_LIMIT_TENANT_MAX: '1000000' });
  t = await registerTenant(sys.url);
});
afterAll(() => sys?.stop());

describe('overload', () => {
  it('requests beyond the pool queue or the tenant\'s share get a quick 503 or 429; the process stays up and memory stays bounded', async () => {
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    for (let wave = 0; wave < 3; wave++) {
      const results = await Promise.all(
        Array.from({ length: 400 }, (_, i) =>
          i % 2 ? t.api.get('/payments?limit=20') : t.api.post('/payments', cardBody(), { idem: idemKey() }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => ![200, 201, 429, 503].includes(s))).toEqual([]);
      expect(statuses.filter((s) => s < 300).length).toBeGreaterThan(0);
      for (const r of results.filter((x) => x.status === 503)) {
        expectError(r, 503, { type: 'api_error' });
        expect(r.headers.get('retry-after')).toBe('1');
      }
      // One tenant past its share of the pool (TENANT_MAX_INFLIGHT and its queue): 429 at once.
      for (const r of results.filter((x) => x.status === 429)) {
        expectError(r, 429, { type: 'rate_limit_error', code: 'too_many_concurrent_requests' });
        expect(r.headers.get('retry-after')).toBe('1');
      }
    }
    // Nothing hangs: three waves of 400 finish well within the connect timeouts they could hit.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await new Client(sys.url).get('/health/ready')).status).toBe(200);
    expect((await t.api.get('/payments?limit=1')).status).toBe(200);
    // The server runs in this process; 1,200 requests must not leave a large footprint behind.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    const { count } = (await sys.sql<{ count: string }>('SELECT count(*) FROM payments'))[0]!;
    expect(Number(count)).toBeGreaterThan(0);
  }, 120_000);
});

import express, { type ErrorRequestHandler } from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.ts';
import { tenantLimits } from '../../src/http/middleware/rate-limit.ts';
import type { DbTenant } from '../../src/tenants/tenants.ts';
import { getTenant } from '../../src/tenants/store.ts';
import { Client, registerTenant } from '../support/client.ts';
import { eventually } from '../support/payments.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;

// A small pool, so that without a per-tenant bound one tenant's flood would hold all of it.
beforeAll(async () => {
  sys = await startTestSystem({ DB_POOL_MAX: '4', TENANT_MAX_INFLIGHT: '2', RATE_LIMIT_TENANT_MAX: '100000' });
});
afterAll(() => sys?.stop());

const hits = async (tenantId: string) =>
  Number((await sys.sql<{ hits: number }>('SELECT hits FROM rate_limit_hits WHERE key = $1', [`tenant:${tenantId}`]))[0]?.hits ?? 0);

describe('one tenant over its limit does not starve the others', () => {
  it("answers tenant Y's requests while tenant X floods; X gets 429s", async () => {
    const x = await registerTenant(sys.url, 'X');
    const y = await registerTenant(sys.url, 'Y');
    await sys.sql('UPDATE tenants SET rate_limit = 60 WHERE id = $1', [x.id]);

    const flood = Promise.all(Array.from({ length: 200 }, () => x.api.get('/auth/me')));
    const yStatuses: number[] = [];
    for (let i = 0; i < 30; i++) yStatuses.push((await y.api.get('/auth/me')).status);
    const xAnswers = await flood;

    expect(yStatuses).toEqual(Array(30).fill(200));
    expect(xAnswers.every((r) => r.status === 200 || r.status === 429), xAnswers.map((r) => r.status).join()).toBe(true);
    expect(xAnswers.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(140);
  });

  it('rejects a tenant over its window limit from memory, without touching the shared counter', async () => {
    const x = await registerTenant(sys.url, 'X2');
    // Through the operator's API, as an operator does it (the process's key cache learns it at once).
    const admin = new Client(sys.url + '/api/v1', ADMIN_TOKEN);
    expect((await admin.patch(`/admin/tenants/${x.id}`, { rate_limit: 5 })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await x.api.get('/auth/me')).status).toBe(200);
    const first = await x.api.get('/auth/me');
    expect(first.status).toBe(429);
    expect(first.body.error.code).toBe('rate_limit_exceeded');
    const counted = await hits(x.id);
    const started = Date.now();
    const again = await Promise.all(Array.from({ length: 20 }, () => x.api.get('/auth/me')));
    for (const r of again) {
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('rate_limit_exceeded');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.headers.get('ratelimit-policy')).toMatch(/q=5/);
    }
    // Held (half a second to a second) before they are sent, so a tight retry loop cannot hog the process.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(await hits(x.id)).toBe(counted);
    // An operator raising the limit takes effect at once.
    expect((await admin.patch(`/admin/tenants/${x.id}`, { rate_limit: 1000 })).status).toBe(200);
    expect((await x.api.get('/auth/me')).status).toBe(200);
  });

  it('runs at most TENANT_MAX_INFLIGHT of one tenant at once, queues a few more, refuses the rest with 429', async () => {
    const x = await registerTenant(sys.url, 'X4');
    const tenant = (await getTenant(sys.runtime.db, x.id))!;
    // A wait long enough never to matter: who is served is decided by the bound and the queue alone.
    const limits = tenantLimits(sys.runtime.db, sys.runtime.caches, { windowMs: 60_000, defaultMax: 1000, maxInflight: 2, maxWaitMs: 600_000, holdMs: 50 });
    let running = 0;
    let peak = 0;
    // The handler finishes only when the test says so, so no slot frees up while requests arrive,
    // however slowly the machine delivers them.
    let gate = shutGate();
    const app = await tinyApp(limits, tenant, x.sk, async () => {
      peak = Math.max(peak, ++running);
      await gate.shut;
      running--;
    });
    /** Sends n requests at once and, once the limiter has placed every one, lets the handlers finish. */
    const burst = async (n: number) => {
      const before = app.arrived();
      const answers = Array.from({ length: n }, () => app.client.get('/me'));
      await eventually(async () => app.arrived() - before, (k) => k === n);
      // The limiter places a request (run, queue or refuse) without waiting on anything, so by the
      // next turn of the event loop every one that arrived is placed.
      await new Promise((r) => setImmediate(r));
      gate.open();
      return Promise.all(answers);
    };
    try {
      const answers = await burst(20);
      expect(peak).toBe(2);
      expect(answers.filter((r) => r.status === 200)).toHaveLength(10); // 2 running + 8 queued (4 x the bound)
      const refused = answers.filter((r) => r.status === 429);
      expect(refused).toHaveLength(10);
      expect(refused.every((r) => r.body.code === 'too_many_concurrent_requests' && r.headers.get('retry-after') === '1')).toBe(true);
      // A burst within bound + queue is served whole, though none of it finishes before all of it arrived.
      gate = shutGate();
      expect((await burst(10)).map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(peak).toBe(2);
    } finally {
      gate.open();
      await app.close();
    }
  });

  it('with the guard mounted before auth, a blocked key costs no query at all (not even auth)', async () => {
    const x = await registerTenant(sys.url, 'X3');
    const tenant = (await getTenant(sys.runtime.db, x.id))!;
    const limits = tenantLimits(sys.runtime.db, sys.runtime.caches, { windowMs: 60_000, defaultMax: 3, maxInflight: 2, maxWaitMs: 1000, holdMs: 100 });
    let authCalls = 0;
    const { client: c, close } = await tinyApp(limits, tenant, x.sk, async () => {}, () => authCalls++);
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await c.get('/me')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const before = { auth: authCalls, hits: await hits(x.id) };
      for (let i = 0; i < 10; i++) expect((await c.get('/me')).status).toBe(429);
      expect(authCalls).toBe(before.auth);
      expect(await hits(x.id)).toBe(before.hits);
    } finally {
      await close();
    }
  });
});

/** beforeAuth, a stand-in for auth (counting its calls), afterAuth, then `work`: the guards as the route table mounts them. */
async function tinyApp(limits: ReturnType<typeof tenantLimits>, tenant: DbTenant, key: string, work: () => Promise<void>, onAuth = () => {}) {
  const app = express();
  let arrived = 0;
  app.get(
    '/me',
    (_req, _res, next) => {
      arrived++;
      next();
    },
    limits.beforeAuth,
    (req, _res, next) => {
      onAuth();
      req.principal = { kind: 'tenant', tenant, keyId: 'key_x', keyType: 'secret' };
      next();
    },
    limits.afterAuth,
    async (_req, res) => {
      await work();
      res.json({ ok: true });
    },
  );
  app.use(((err, _req, res, _next) => {
    const e = err as DomainError;
    res.status(e.kind === 'rate_limited' ? 429 : 500).set(e.headers ?? {}).json({ code: e.code });
  }) as ErrorRequestHandler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    client: new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, key),
    /** Requests that reached the app (before any limit). */
    arrived: () => arrived,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** A promise the test resolves when it chooses. */
function shutGate() {
  let open!: () => void;
  const shut = new Promise<void>((r) => (open = r));
  return { shut, open };
}

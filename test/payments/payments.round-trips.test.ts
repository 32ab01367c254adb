import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRequestLogBatch, recordingDb, roundTrips, socketWrites } from '../../bench/lib/baseline.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { Client, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { cardBody } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * What one create costs in round trips to the database, counted through a recording Db on the
 * real HTTP path (auth, tenant limits, idempotency, fraud rules, events, fan-out, jobs, audit).
 * Each round trip costs both processes CPU (issue 16): this guards the count from growing back.
 * Statements pipeline (src/db/pool.ts): BEGIN, the Idempotency-Key claim and the velocity count
 * share one round trip, the payment INSERT is the second, and every write whose answer nobody
 * reads (idempotent response, events and deliveries, their jobs, audit rows) goes with the COMMIT.
 */
const MAX_ROUND_TRIPS = 3;
/**
 * node-postgres writes every statement on its own (8.7 `writev` per create before issue 27); the
 * pool's CorkingSocket (src/db/pool.ts) sends what one event-loop turn wrote in one write, so a
 * round trip is one write. Counted from the socket's own `_write`/`_writev` calls, the writes
 * Node hands to the kernel.
 */
const MAX_SOCKET_WRITES = 3;
/** A tenant with no endpoint and no rule: no fan-out jobs, no velocity count. */
const MAX_ROUND_TRIPS_BARE = 2;

let sys: TestSystem;
let server: Server;
let shop: TestTenant;
let bare: TestTenant;
let units: ReturnType<typeof recordingDb>['units'];
let api: Client;
let bareApi: Client;

beforeAll(async () => {
  sys = await startTestSystem();
  // Keys are cached only once the cache's LISTEN connection is in place.
  await sys.runtime.caches?.whenLive();
  shop = await registerTenant(sys.url);
  bare = await registerTenant(sys.url);
  // The bench's create: one endpoint subscribed to everything, a velocity and an amount rule.
  expect((await shop.api.post('/webhook-endpoints', { url: 'https://example.com/hooks', events: ['*'] }, { idem: idemKey() })).status).toBe(201);
  for (const rule of [
    { name: 'velocity per email', type: 'velocity', params: { max_count: 1000, window_seconds: 60, per: 'customer_email' }, action: 'flag' },
    { name: 'amount limit', type: 'amount_limit', params: { max_amount: 10_000_000 }, action: 'flag' },
  ]) {
    expect((await shop.api.post('/fraud-rules', rule, { idem: idemKey() })).status).toBe(201);
  }
  // The runtime's own services (its audit context, tenant caches, hooks and faces), with every
  // statement through a recording Db.
  const recorded = recordingDb(sys.runtime.db);
  units = recorded.units;
  server = createServer(createApp({ ...sys.runtime, db: recorded.db, log: createLogger('silent'), jobs: { running: () => true } }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, shop.sk);
  bareApi = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, bare.sk);
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await sys?.stop();
});

/** The units of the second of two creates through `client` (caches warm), and their statements. */
async function warmCreate(client: Client): Promise<{ n: number; writes: number; outside: number; listing: string }> {
  // The first create of a process fills its caches (key lookup, rate-limit lease, fraud rules).
  expect((await client.post('/payments', cardBody(undefined, { customer_email: 'a@example.com' }), { idem: idemKey() })).status).toBe(201);
  units.length = 0;
  const res = await client.post('/payments', cardBody(undefined, { customer_email: 'b@example.com' }), { idem: idemKey() });
  expect(res.status, res.text).toBe(201);
  const mine = units.filter((u) => !isRequestLogBatch(u));
  const statements = mine.flatMap((u) => (u.kind === 'pool' ? [u.stmt.text] : ['BEGIN', ...u.stmts.map((s) => s.text), 'COMMIT']));
  return {
    n: roundTrips(mine),
    writes: socketWrites(mine),
    outside: mine.filter((u) => u.kind === 'pool').length,
    listing: statements.map((s) => s.trim().replace(/\s+/g, ' ').slice(0, 80)).join('\n'),
  };
}

describe('round trips per create', () => {
  it(`a create for a tenant with no endpoint and no fraud rule takes at most ${MAX_ROUND_TRIPS_BARE} round trips`, async () => {
    const { n, writes, outside, listing } = await warmCreate(bareApi);
    expect(n, listing).toBeLessThanOrEqual(MAX_ROUND_TRIPS_BARE);
    expect(writes, listing).toBeGreaterThan(0);
    expect(writes, listing).toBeLessThanOrEqual(MAX_ROUND_TRIPS_BARE);
    expect(outside, listing).toBe(0);
  });

  it(`a create with a webhook endpoint and fraud rules takes at most ${MAX_ROUND_TRIPS} round trips once the process is warm`, async () => {
    const { n, writes, outside, listing } = await warmCreate(api);
    expect(n, listing).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
    expect(writes, listing).toBeGreaterThan(0); // counted at all (the pool's sockets are CorkingSockets)
    expect(writes, listing).toBeLessThanOrEqual(MAX_SOCKET_WRITES);
    // Everything is in one transaction: nothing outside it (authentication, the tenant's limit and its fraud rules come from memory).
    expect(outside, listing).toBe(0);
    // ... and still writes everything it did when each statement was its own round trip.
    for (const written of ['idempotency_claim', 'velocity_count', 'INSERT INTO payments', 'INSERT INTO idempotency_keys', 'INSERT INTO events', 'INSERT INTO pgboss', 'INSERT INTO audit_log']) {
      expect(listing).toContain(written);
    }
  });
});

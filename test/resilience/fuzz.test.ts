import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, registerTenant, type ApiResponse, type TestTenant } from '../support/client.ts';
import { createPayment } from '../support/payments.ts';
import { fill, SWEEP, type SweepRoute } from '../support/table.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;
let root: Client;
let paymentId: string;
let requests = 0;

beforeAll(async () => {
  // No workers: background jobs (refund settlement, deliveries) would change row counts mid-probe.
  sys = await startTestSystem({ SANDPAY_ROLE: 'api', RATE_LIMIT_TENANT_MAX: '1000000', RATE_LIMIT_REGISTER_MAX: '1000000' });
  t = await registerTenant(sys.url);
  root = new Client(sys.url);
  paymentId = (await createPayment(t.api)).id;
});
afterAll(() => sys?.stop());

const TABLES = ['tenants', 'api_keys', 'orders', 'payments', 'refunds', 'events', 'webhook_endpoints', 'webhook_deliveries', 'fraud_rules', 'idempotency_keys', 'audit_log'];
const counts = async () => JSON.stringify((await sys.sql(`SELECT ${TABLES.map((x) => `(SELECT count(*) FROM ${x}) AS ${x}`).join(', ')}`))[0]);

function keyFor(route: SweepRoute): string | null {
  return route.auth === 'tenant' ? t.sk : route.auth === 'admin' ? ADMIN_TOKEN : null;
}

/**
 * Sends one request and checks the invariants: never a 5xx, every error in the CONVENTIONS
 * shape, and a rejected request leaves every table's row count unchanged.
 */
async function probe(send: () => Promise<ApiResponse>): Promise<void> {
  const before = await counts();
  const res = await send();
  requests++;
  expect(res.status, `${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expectError(res, res.status);
    expect(await counts()).toBe(before);
  }
}

/**
 * node:http instead of fetch: fetch (undici) refuses some header values HTTP allows (empty,
 * surrounding spaces), and the point is to send them.
 */
function rawRequest(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(sys.url + path, { method, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode!, headers: h, body: parsed, text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// Key rotation is left out: a valid random body would revoke the key every later request uses.
const FUZZED = SWEEP.filter((r) => r.path !== '/api/v1/auth/keys/rotate');
const writeRoutes = FUZZED.filter((r) => r.method !== 'GET');
const idRoutes = FUZZED.filter((r) => r.id);
const anyRoute = fc.constantFrom(...FUZZED);
/** Any header value HTTP allows (no control characters, DEL included), with non-ASCII latin-1. */
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 300 });

/**
 * Each property runs a fixed number of cases (numRuns); nothing here is time-boxed, so a slow
 * machine makes the run longer, never different. The test timeout is only a hang guard, set far
 * above what 500 requests take on a busy two-core machine (the 30 s default was hit twice).
 */
const FUZZ_TIMEOUT_MS = 180_000;

describe('fuzzing every route with bad input', () => {
  it('draws its routes from the route table, which is not empty', () => {
    expect(FUZZED.length).toBeGreaterThan(40);
    expect(writeRoutes.length).toBeGreaterThan(20);
    expect(idRoutes.length).toBeGreaterThan(20);
  });

  it('malformed and hostile JSON bodies', async () => {
    const rawBody = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('{', '{"a":', '[1,2', 'null', 'true', '"str"', '{"amount": 1e999}', '{"__proto__": {"x": 1}}', '{"a":1,"a":2}', '\u0000', '{} {}'),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writeRoutes), rawBody, async (route, body) => {
        const path = route.id ? fill(route.path, paymentId) : route.path;
        await probe(() => root.request(route.method, path, { rawBody: body, key: keyFor(route), idem: route.idem ? `fz-${requests}` : undefined }));
      }),
      { numRuns: 500 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('well-formed JSON of the wrong shape, and near-miss payment bodies', async () => {
    const nearMiss = fc.record(
      {
        amount: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.bigInt().map(String)),
        currency: fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('INR', 'inr', 'XYZ', '')),
        method: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('card', 'upi', 'netbanking', 'wallet')),
        card: fc.anything({ maxDepth: 2 }),
        vpa: fc.string({ maxLength: 40 }),
        metadata: fc.anything({ maxDepth: 3 }),
        order_id: fc.string({ maxLength: 30 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writeRoutes), fc.oneof(fc.anything({ maxDepth: 3 }), nearMiss), async (route, body) => {
        const path = route.id ? fill(route.path, paymentId) : route.path;
        await probe(() => root.request(route.method, path, { body, key: keyFor(route), idem: route.idem ? `fz-${requests}` : undefined }));
      }),
      { numRuns: 500 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('random ids, path segments and query strings', async () => {
    const id = fc.oneof(fc.string({ maxLength: 120 }), fc.constantFrom('pay_', 'pay_x', '%', '%E0%A4%A', '..', '%2F..%2F', 'pay_' + 'A'.repeat(20), 'null', 'undefined', ' '));
    const query = fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String)), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...idRoutes), id, query, async (route, raw, q) => {
        const encoded = /^%/.test(raw) ? raw : encodeURIComponent(raw);
        const qs = new URLSearchParams(q).toString();
        await probe(() => root.request(route.method, route.path.replace(':id', encoded) + (qs ? `?${qs}` : ''), { body: route.body, key: keyFor(route), idem: route.idem ? `fz-${requests}` : undefined }));
      }),
      { numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FUZZED.filter((r) => r.method === 'GET' && !r.id)), query, async (route, q) => {
        await probe(() => root.request('GET', `${route.path}?${new URLSearchParams(q)}`, { key: keyFor(route) }));
      }),
      { numRuns: 300 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('hostile Idempotency-Keys, Authorization and Content-Type headers', async () => {
    await fc.assert(
      fc.asyncProperty(anyRoute, headerValue, fc.constantFrom('idem', 'auth', 'type'), async (route, value, which) => {
        const path = route.id ? fill(route.path, paymentId) : route.path;
        const key = keyFor(route);
        const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
        if (which === 'auth') headers.authorization = value;
        if (which === 'type') headers['content-type'] = value;
        headers['idempotency-key'] = which === 'idem' ? value : `fz-${requests}`;
        await probe(() => rawRequest(route.method, path, headers, route.body));
      }),
      { numRuns: 400 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('sent thousands of requests and the database is still consistent', async () => {
    expect(requests).toBeGreaterThanOrEqual(2000);
    const verify = await t.api.get('/audit/verify');
    expect(verify.status, 'the tenant key still works').toBe(200);
    expect(verify.body.ok).toBe(true);
    expect((await root.get('/health/ready')).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { Client, expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { fill, registeredRoutes, ROUTES, type IdKind } from '../support/routes.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let a: TestTenant;
let b: TestTenant;
const ids = {} as Record<IdKind, string>;

beforeAll(async () => {
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '600000', WEBHOOK_RETRY_SCHEDULE: 'none' });
  a = await registerTenant(sys.url, 'A');
  b = await registerTenant(sys.url, 'B');
  ids.tenant = a.id;
  ids.order = (await a.api.post('/orders', { amount: 100, currency: 'INR' })).body.id;
  ids.endpoint = (await a.api.post('/webhook-endpoints', { url: 'http://127.0.0.1:9/closed', events: ['payment.success'] })).body.id;
  ids.payment = (await createPayment(a.api, cardBody(CARDS.visa))).id;
  ids.refund = (await a.api.post(`/payments/${ids.payment}/refunds`, { amount: 1 })).body.id;
  ids.event = (await a.api.get('/events?limit=1')).body.data[0].id;
  // Port 9 refuses connections and the schedule has no retries: the delivery dies at once.
  ids.delivery = (await eventually(async () => (await a.api.get('/webhook-deliveries?status=dead')).body.data, (d: any[]) => d.length === 1))[0].id;
  ids.deadDelivery = ids.delivery;
  ids.rule = (await a.api.post('/fraud-rules', { name: 'r', type: 'amount_limit', params: { max_amount: 10 ** 9 }, action: 'flag' })).body.id;
  ids.globalRule = 'fr_seedHighAmount000001';
});
afterAll(() => sys?.stop());

const auditCount = async (tenantId: string) => Number((await sys.sql<{ n: string }>('SELECT count(*) AS n FROM audit_log WHERE tenant_id = $1', [tenantId]))[0]!.n);

describe('isolation sweep', () => {
  it('the route table covers every route the app serves', () => {
    const app = createApp({ ...sys.runtime, log: createLogger('silent'), jobs: { running: () => true } });
    for (const route of registeredRoutes(app)) {
      const [method, path] = route.split(' ') as [string, string];
      const covered = ROUTES.some((r) => r.method === method && r.path.replace(':id', ':x').endsWith(path.replace(/:[a-z]+/g, ':x')));
      expect(covered, `${route} is missing from test/support/routes.ts`).toBe(true);
    }
  });

  it("every tenant route given another tenant's id answers 404 and changes nothing", async () => {
    const before = await auditCount(a.id);
    const root = new Client(sys.url);
    const routes = ROUTES.filter((r) => r.auth === 'tenant' && r.id);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const r of routes) {
      const path = fill(r.path, ids[r.id!]);
      const res = await root.request(r.method, path, { key: b.sk, body: r.body, ...(r.idem ? { idem: idemKey() } : {}) });
      expectError(res, 404, { type: 'invalid_request_error', code: 'resource_missing' });
      // The owner still sees it (reads), proving the id was real.
      if (r.method === 'GET') expect((await root.request('GET', path, { key: a.sk })).status, path).toBe(200);
    }
    expect(await auditCount(a.id)).toBe(before);
    expect((await a.api.get(`/webhook-endpoints/${ids.endpoint}`)).body.description).toBeNull();
    expect((await a.api.get(`/fraud-rules/${ids.rule}`)).body.enabled).toBe(true);
  });

  it('every admin route answers 403 to a tenant key and 401 without a credential', async () => {
    const root = new Client(sys.url);
    const routes = ROUTES.filter((r) => r.auth === 'admin');
    expect(routes.length).toBeGreaterThanOrEqual(14);
    for (const r of routes) {
      const path = r.id ? fill(r.path, ids[r.id]) : r.path;
      expectError(await root.request(r.method, path, { key: a.sk, body: r.body }), 403, { type: 'permission_error' });
      expectError(await root.request(r.method, path, { key: null, body: r.body }), 401, { type: 'authentication_error' });
    }
  });

  it('every tenant route answers 401 without a key and to the admin token', async () => {
    const root = new Client(sys.url);
    for (const r of ROUTES.filter((x) => x.auth === 'tenant')) {
      const path = r.id ? fill(r.path, ids[r.id]) : r.path;
      expectError(await root.request(r.method, path, { key: null, body: r.body }), 401, { type: 'authentication_error' });
    }
  });
});

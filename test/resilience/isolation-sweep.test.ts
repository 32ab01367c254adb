import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { Client, expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { ROUTES } from '../../src/contract/table.ts';
import { fill, registeredRoutes, SWEEP } from '../support/table.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let a: TestTenant;
let b: TestTenant;
const ids: Record<string, string> = {};

beforeAll(async () => {
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '600000', WEBHOOK_RETRY_SCHEDULE: 'none' });
  a = await registerTenant(sys.url, 'A');
  b = await registerTenant(sys.url, 'B');
  ids.tenant = a.id;
  ids.order = (await a.api.post('/orders', { amount: 100, currency: 'INR' })).body.id;
  ids.webhookEndpoint = (await a.api.post('/webhook-endpoints', { url: 'http://127.0.0.1:9/closed', events: ['payment.success'] })).body.id;
  ids.payment = (await createPayment(a.api, cardBody(CARDS.visa))).id;
  ids.refund = (await a.api.post(`/payments/${ids.payment}/refunds`, { amount: 1 })).body.id;
  ids.event = (await a.api.get('/events?limit=1')).body.data[0].id;
  // Port 9 refuses connections and the schedule has no retries: the delivery dies at once.
  ids.webhookDelivery = (await eventually(async () => (await a.api.get('/webhook-deliveries?status=dead')).body.data, (d: any[]) => d.length === 1))[0].id;
  ids.deadDelivery = ids.webhookDelivery!;
  ids.fraudRule = (await a.api.post('/fraud-rules', { name: 'r', type: 'amount_limit', params: { max_amount: 10 ** 9 }, action: 'flag' })).body.id;
  ids.globalRule = 'fr_seedHighAmount000001';
  ids.checkoutSession = (await a.api.post('/checkout/sessions', { order_id: ids.order })).body.id;
  ids.apiKey = (await a.api.post('/auth/keys', { type: 'restricted', name: 'sweep', permissions: { payments: 'read' } })).body.id;
  ids.auditVerification = (await a.api.post('/audit/verifications')).body.id;
});
afterAll(() => sys?.stop());

const auditCount = async (tenantId: string) => Number((await sys.sql<{ n: string }>('SELECT count(*) AS n FROM audit_log WHERE tenant_id = $1', [tenantId]))[0]!.n);

describe('isolation sweep', () => {
  it('the app serves exactly the route table, and the table is not empty', () => {
    const app = createApp({ ...sys.runtime, log: createLogger('silent'), jobs: { running: () => true } });
    const served = registeredRoutes(app).filter((r) => r.split(' ')[1]!.startsWith('/api/') || ROUTES.some((x) => x.path === r.split(' ')[1]));
    const table = ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(table.length).toBeGreaterThan(40);
    expect(served.sort()).toEqual([...table].sort());
  });

  it("every tenant route given another tenant's id answers 404 and changes nothing", async () => {
    const before = await auditCount(a.id);
    const root = new Client(sys.url);
    const routes = SWEEP.filter((r) => r.auth === 'tenant' && r.id);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const r of routes) {
      const path = fill(r.path, ids[r.id!]!);
      const res = await root.request(r.method, path, { key: b.sk, body: r.body, ...(r.idem ? { idem: idemKey() } : {}) });
      expectError(res, 404, { type: 'invalid_request_error', code: 'resource_missing' });
      // The owner still sees it (reads), proving the id was real.
      if (r.method === 'GET') expect((await root.request('GET', path, { key: a.sk })).status, path).toBe(200);
    }
    expect(await auditCount(a.id)).toBe(before);
    expect((await a.api.get(`/webhook-endpoints/${ids.webhookEndpoint}`)).body.description).toBeNull();
    expect((await a.api.get(`/fraud-rules/${ids.fraudRule}`)).body.enabled).toBe(true);
  });

  it('every admin route answers 403 to a tenant key and 401 without a credential', async () => {
    const root = new Client(sys.url);
    const routes = SWEEP.filter((r) => r.auth === 'admin');
    expect(routes.length).toBeGreaterThanOrEqual(14);
    for (const r of routes) {
      const path = r.id ? fill(r.path, ids[r.id]!) : r.path;
      expectError(await root.request(r.method, path, { key: a.sk, body: r.body }), 403, { type: 'permission_error' });
      expectError(await root.request(r.method, path, { key: null, body: r.body }), 401, { type: 'authentication_error' });
    }
  });

  it('every tenant route answers 401 without a key and to the admin token', async () => {
    const root = new Client(sys.url);
    for (const r of SWEEP.filter((x) => x.auth === 'tenant')) {
      const path = r.id ? fill(r.path, ids[r.id]!) : r.path;
      expectError(await root.request(r.method, path, { key: null, body: r.body }), 401, { type: 'authentication_error' });
    }
  });
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idKindOf } from '../../../src/routing/route.ts';
import { stripeHttpFace } from '../../../src/faces/stripe/http-face.ts';
import { accountIdOf } from '../../../src/faces/razorpay/events.ts';
import { ROUTES } from '../../../src/contract/table.ts';
import { Client, registerTenant, type ApiResponse, type TestTenant } from '../../support/client.ts';
import { CARDS, cardBody, createPayment } from '../../support/payments.ts';
import { basicAuth, razorpayKeys, type RazorpayKeys } from '../../support/razorpay.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/** The sweeps of test/resilience, for the /v1 Razorpay face (its errors have Razorpay's shape). */
let sys: TestSystem;
let a: TestTenant;
let bKeys: RazorpayKeys;
let aKeys: RazorpayKeys;
const ids: Record<string, string> = {};
const V1 = ROUTES.filter((r) => r.face?.name === 'razorpay');

beforeAll(async () => {
  sys = await startTestSystem({ SANDPAY_ROLE: 'api', RATE_LIMIT_TENANT_MAX: '1000000' });
  a = await registerTenant(sys.url, 'A');
  aKeys = await razorpayKeys(a);
  bKeys = await razorpayKeys(await registerTenant(sys.url, 'B'));
  ids.order = (await a.api.post('/orders', { amount: 10000, currency: 'INR' })).body.id;
  ids.payment = (await createPayment(a.api, cardBody(CARDS.visa))).id;
  ids.refund = (await a.api.post(`/payments/${ids.payment}/refunds`, { amount: 100 })).body.id;
  // Razorpay's own objects (customers, tokens, items, invoices, payment links, QR codes).
  const own = async (path: string, body: unknown) => {
    const res = await send('post', path, aKeys, body);
    expect(res.status, res.text).toBe(200);
    return res.body.id as string;
  };
  ids.rzpCustomer = await own('/v1/customers', { name: 'Sweep Customer' });
  ids.rzpToken = await own('/v1/tokens', { customer_id: ids.rzpCustomer, method: 'card', card: { number: CARDS.visa, cvv: '123', expiry_month: 12, expiry_year: 2030 } });
  ids.rzpItem = await own('/v1/items', { name: 'Sweep item', amount: 1000, currency: 'INR' });
  ids.rzpInvoice = await own('/v1/invoices', { type: 'invoice', draft: '1', customer_id: ids.rzpCustomer, line_items: [{ item_id: ids.rzpItem }] });
  ids.rzpPaymentLink = await own('/v1/payment_links', { amount: 1000, currency: 'INR' });
  ids.rzpQrCode = await own('/v1/payments/qr_codes', { type: 'upi_qr', usage: 'multiple_use' });
  ids.rzpVirtualAccount = await own('/v1/virtual_accounts', { receivers: { types: ['vpa'] } });
  ids.rzpDispute = await own(`/v1/payments/${ids.payment}/disputes`, {});
  ids.webhookEndpoint = (await a.api.post('/webhook-endpoints', { url: 'http://127.0.0.1:9/rzp', events: ['payment.captured'], format: 'razorpay' })).body.id;
  ids.account = accountIdOf(a.id);
});
afterAll(() => sys?.stop());

const fill = (path: string, kind: string) => path.replace(':id', ids[kind]!).replace(':refund_id', ids.refund!).replace(':token_id', ids.rzpToken!).replace(':medium', 'sms').replace(':payer_id', 'ba_00000000000000').replace(':account_id', ids.account!);
const send = (method: string, path: string, keys: RazorpayKeys | null, body?: unknown): Promise<ApiResponse> =>
  new Client(sys.url).request(method.toUpperCase(), path, { key: null, body, headers: keys ? { authorization: basicAuth(keys) } : {} });

function expectRazorpayShape(res: ApiResponse, status?: number): void {
  if (status !== undefined) expect(res.status, res.text).toBe(status);
  expect(res.body?.error, res.text).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/), description: expect.any(String), reason: expect.any(String), metadata: {} });
  expect(res.body.error.type, 'not the Sandpay shape').toBeUndefined();
}

const TABLES = ['orders', 'payments', 'refunds', 'events', 'audit_log'];
const counts = async () => JSON.stringify((await sys.sql(`SELECT ${TABLES.map((x) => `(SELECT count(*) FROM ${x}) AS ${x}`).join(', ')}`))[0]);

describe('the /v1 sweep', () => {
  it('every /v1 route answers 401 in Razorpay shape without credentials', async () => {
    expect(V1.length).toBeGreaterThanOrEqual(15);
    for (const r of V1) {
      const kind = idKindOf(r);
      const path = kind ? fill(r.path, kind) : r.path;
      const res = await send(r.method, path, null, r.example);
      // A path under one Stripe also serves (/v1/customers…) is Stripe's when nothing says which: its 401, or its 404/405
      // where Stripe has no such route (Razorpay's PUT, a customer's tokens). Never an answer.
      if (stripeHttpFace.claims({ path, header: () => undefined } as never)) expect([401, 404, 405], path).toContain(res.status);
      else expectRazorpayShape(res, 401);
    }
  });

  it("every /v1 route given another tenant's id says the id does not exist, and changes nothing", async () => {
    const before = await counts();
    const routes = V1.filter((r) => idKindOf(r));
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const r of routes) {
      const path = fill(r.path, idKindOf(r)!);
      const res = await send(r.method, path, bKeys, r.example);
      expectRazorpayShape(res, 400);
      expect(res.body.error.description, path).toBe('The id provided does not exist');
      if (r.method === 'get') expect((await send('get', path, aKeys)).status, path).toBe(200);
    }
    expect(await counts()).toBe(before);
  });

  it('random bodies, ids and queries never give a 5xx, and a refused request changes nothing', async () => {
    const writes = V1.filter((r) => r.method !== 'get');
    const body = fc.oneof(fc.anything({ maxDepth: 3 }), fc.record({
      amount: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
      currency: fc.oneof(fc.string({ maxLength: 4 }), fc.constant('INR')),
      notes: fc.anything({ maxDepth: 2 }),
      receipt: fc.string({ maxLength: 50 }),
      speed: fc.string({ maxLength: 10 }),
    }, { requiredKeys: [] }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), body, fc.boolean(), async (r, b, realId) => {
        const kind = idKindOf(r);
        const path = kind ? (realId ? fill(r.path, kind) : r.path.replace(':id', 'pay_x')) : r.path;
        const before = await counts();
        const res = await send(r.method, path, aKeys, b);
        expect(res.status, `${r.method} ${path} ${res.text}`).toBeLessThan(500);
        if (res.status >= 400) {
          expectRazorpayShape(res);
          expect(await counts()).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
    const query = fc.dictionary(fc.constantFrom('count', 'skip', 'from', 'to', 'receipt', 'authorized', 'x'), fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String)), { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...V1.filter((r) => r.method === 'get' && r.query)), query, async (r, q) => {
        const kind = idKindOf(r);
        const res = await send('get', `${kind ? fill(r.path, kind) : r.path}?${new URLSearchParams(q)}`, aKeys);
        expect(res.status, res.text).toBeLessThan(500);
        if (res.status >= 400) expectRazorpayShape(res, 400);
      }),
      { numRuns: 100 },
    );
  });
});

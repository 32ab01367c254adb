import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let a: TestTenant;
let b: TestTenant;
const ids: Record<string, string> = {};

beforeAll(async () => {
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '600000' });
  a = await registerTenant(sys.url, 'Tenant A');
  b = await registerTenant(sys.url, 'Tenant B');
  ids.order = (await a.api.post('/orders', { amount: 5000, currency: 'INR' })).body.id;
  ids.payment = (await createPayment(a.api)).id;
  ids.pending = (await createPayment(a.api, cardBody(CARDS.stayPending))).id;
  ids.authorized = (await createPayment(a.api, cardBody(CARDS.visa, { capture: 'manual' }))).id;
  ids.refund = (await a.api.post(`/payments/${ids.payment}/refunds`, { amount: 100 })).body.id;
  ids.event = (await a.api.get('/events?limit=1')).body.data[0].id;
});
afterAll(() => sys?.stop());

describe("tenant B and tenant A's objects", () => {
  it('every read answers 404', async () => {
    const reads = [
      `/orders/${ids.order}`, `/orders/${ids.order}/payments`, `/payments/${ids.payment}`, `/payments/${ids.payment}/refunds`,
      `/payments/${ids.payment}/audit`, `/refunds/${ids.refund}`, `/events/${ids.event}`,
    ];
    for (const path of reads) {
      expectError(await b.api.get(path), 404, { code: 'resource_missing' });
      expect((await a.api.get(path)).status, path).toBe(200);
    }
  });

  it('every write answers 404 and changes nothing', async () => {
    const writes: Array<[string, object]> = [
      [`/payments/${ids.pending}/simulate`, { outcome: 'success' }],
      [`/payments/${ids.authorized}/capture`, {}],
      [`/payments/${ids.pending}/cancel`, {}],
      [`/payments/${ids.payment}/refunds`, { amount: 1 }],
      [`/refunds/${ids.refund}/simulate`, { outcome: 'processed' }],
    ];
    for (const [path, body] of writes) expectError(await b.api.post(path, body, { idem: idemKey() }), 404, { code: 'resource_missing' });
    expectError(await b.api.post('/payments', { ...cardBody(), order_id: ids.order, amount: undefined, currency: undefined }, { idem: idemKey() }), 404, { param: 'order_id' });

    expect((await a.api.get(`/payments/${ids.pending}`)).body.status).toBe('pending');
    expect((await a.api.get(`/payments/${ids.authorized}`)).body.status).toBe('authorized');
    expect((await a.api.get(`/refunds/${ids.refund}`)).body.status).toBe('pending');
    expect((await a.api.get(`/payments/${ids.payment}/refunds`)).body.data).toHaveLength(1);
  });

  it('lists never show the other tenant, and a cursor from A is invalid for B', async () => {
    for (const path of ['/payments', '/orders', '/refunds', '/events']) {
      const res = await b.api.get(path);
      expect(res.status).toBe(200);
      expect(res.body.data, path).toEqual([]);
    }
    expectError(await b.api.get(`/payments?starting_after=${ids.payment}`), 400, { param: 'starting_after' });
    expect((await b.api.get('/payments/stats')).body.total_count).toBe(0);
  });
});

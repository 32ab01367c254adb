import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;

beforeAll(async () => {
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '100' });
  t = await registerTenant(sys.url);
});
afterAll(() => sys?.stop());

const settled = (id: string) => eventually(() => t.api.get(`/refunds/${id}`), (r) => r.body.status !== 'pending');

describe('refunds', () => {
  it('a full refund defaults to the remaining amount and is processed by the job', async () => {
    const p = await createPayment(t.api, cardBody(CARDS.visa, { amount: 1000 }));
    const r = await t.api.post(`/payments/${p.id}/refunds`, { reason: 'customer asked' }, { idem: idemKey() });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: expect.stringMatching(/^rfnd_/), amount: 1000, status: 'pending', payment_id: p.id, reason: 'customer asked' });
    expect((await settled(r.body.id)).body.status).toBe('processed');
    expect((await t.api.get(`/payments/${p.id}`)).body).toMatchObject({ status: 'refunded', amount_refunded: 1000 });
    const types = (await t.api.get(`/events?object_id=${p.id}`)).body.data.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('payment.refunded');
    const refundEvents = (await t.api.get(`/events?object_id=${r.body.id}`)).body.data.map((e: { type: string }) => e.type);
    expect(refundEvents).toEqual(['refund.processed', 'refund.created']);
  });

  it('partial refunds move the payment to partially_refunded, then refunded', async () => {
    const p = await createPayment(t.api, cardBody(CARDS.visa, { amount: 1000 }));
    const a = await t.api.post(`/payments/${p.id}/refunds`, { amount: 300 });
    await settled(a.body.id);
    expect((await t.api.get(`/payments/${p.id}`)).body).toMatchObject({ status: 'partially_refunded', amount_refunded: 300 });
    expectError(await t.api.post(`/payments/${p.id}/refunds`, { amount: 701 }), 400, { code: 'amount_too_large', param: 'amount' });
    const b = await t.api.post(`/payments/${p.id}/refunds`, {});
    expect(b.body.amount).toBe(700);
    await settled(b.body.id);
    expect((await t.api.get(`/payments/${p.id}`)).body).toMatchObject({ status: 'refunded', amount_refunded: 1000 });
    expectError(await t.api.post(`/payments/${p.id}/refunds`, {}), 409, { type: 'state_error' });
    const list = await t.api.get(`/payments/${p.id}/refunds`);
    expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([b.body.id, a.body.id]);
  });

  it('20 concurrent partial refunds that together exceed the amount never over-refund', async () => {
    const p = await createPayment(t.api, cardBody(CARDS.visa, { amount: 1000 }));
    const results = await Promise.all(Array.from({ length: 20 }, () => t.api.post(`/payments/${p.id}/refunds`, { amount: 150 }, { idem: idemKey() })));
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(6); // 6 x 150 = 900; a 7th would pass 1000
    for (const r of results.filter((x) => x.status !== 201)) expectError(r, 400, { code: 'amount_too_large' });
    const [sum] = await sys.sql<{ total: string }>(`SELECT sum(amount) AS total FROM refunds WHERE payment_id = $1`, [p.id]);
    expect(Number(sum!.total)).toBe(900);
    await Promise.all(created.map((r) => settled(r.body.id)));
    expect((await t.api.get(`/payments/${p.id}`)).body).toMatchObject({ status: 'partially_refunded', amount_refunded: 900 });
  });

  it('refunds only what was captured on a partially captured payment', async () => {
    const p = await createPayment(t.api, cardBody(CARDS.visa, { amount: 1000, capture: 'manual' }));
    await t.api.post(`/payments/${p.id}/capture`, { amount: 400 });
    expectError(await t.api.post(`/payments/${p.id}/refunds`, { amount: 500 }), 400, { code: 'amount_too_large' });
    expect((await t.api.post(`/payments/${p.id}/refunds`, {})).body.amount).toBe(400);
  });

  it('simulate settles a refund at once; a failed refund frees the amount again', async () => {
    const slow = await registerTenant(sys.url);
    const p = await createPayment(slow.api, cardBody(CARDS.visa, { amount: 1000 }));
    const r = await slow.api.post(`/payments/${p.id}/refunds`, { amount: 1000 });
    const failed = await slow.api.post(`/refunds/${r.body.id}/simulate`, { outcome: 'failed', failure_code: 'refund_rejected' });
    // Either the simulate or the job got there first; only the simulate may report 200.
    if (failed.status === 200) {
      expect(failed.body).toMatchObject({ status: 'failed', failure_code: 'refund_rejected' });
      expect((await slow.api.get(`/payments/${p.id}`)).body.status).toBe('success');
      const again = await slow.api.post(`/payments/${p.id}/refunds`, {});
      expect(again.body.amount).toBe(1000);
      expect((await slow.api.post(`/refunds/${again.body.id}/simulate`, { outcome: 'processed' })).status).toBeLessThan(500);
    } else {
      expectError(failed, 409, { type: 'state_error' });
    }
    expectError(await slow.api.post(`/refunds/${r.body.id}/simulate`, { outcome: 'processed' }), 409, { type: 'state_error' });
  });

  it('cannot refund a payment that did not succeed', async () => {
    const p = await createPayment(t.api, cardBody(CARDS.declined));
    expectError(await t.api.post(`/payments/${p.id}/refunds`, {}), 409, { type: 'state_error', code: 'payment_not_refundable' });
  });
});

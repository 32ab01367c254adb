import Razorpay from 'razorpay';
import { QUEUES } from '../../../src/jobs/boss.ts';
import { Receiver } from '../../support/receiver.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../../support/payments.ts';
import { expectRazorpayError, razorpayKeys, razorpaySdk, sdkError } from '../../support/razorpay.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * Settlements through the SDK: one per IST day, captures minus fees minus refunds, `created`
 * while the day runs and `processed` after it. Until the tenant clock (issue 24) a past day is
 * made by moving a payment's captured_at back (setup only; everything asserted goes through the SDK).
 */
let sys: TestSystem;
let t: TestTenant;
let rzp: Razorpay;
let other: Razorpay;

const istDay = (d: Date) => new Date(d.getTime() + 330 * 60_000).toISOString().slice(0, 10);

beforeAll(async () => {
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '50', WEBHOOK_RETRY_SCHEDULE: 'none' });
  t = await registerTenant(sys.url, 'A');
  rzp = razorpaySdk(sys.url, await razorpayKeys(t));
  other = razorpaySdk(sys.url, await razorpayKeys(await registerTenant(sys.url, 'B')));
});
afterAll(() => sys?.stop());

describe('settlements', () => {
  it("today's captures minus refunds settle as today's settlement, created until the day ends; recon lists them", async () => {
    const a = await createPayment(t.api, { ...cardBody(CARDS.visa), amount: 40000 });
    const b = await createPayment(t.api, { ...cardBody(CARDS.mastercard), amount: 10000 });
    await createPayment(t.api, { ...cardBody(CARDS.declined), amount: 99900 }).catch(() => null); // declined: nothing to settle
    const refund = await rzp.payments.refund(a.id, { amount: 5000 });
    await eventually(() => rzp.refunds.fetch(refund.id), (r: any) => r.status === 'processed');

    const all = await rzp.settlements.all();
    expect(all).toMatchObject({ entity: 'collection', count: 1 });
    const s: any = all.items[0];
    // Fees (tax within them) are the payments' own, as the SDK shows them.
    const [feeA, feeB] = (await Promise.all([a, b].map((p) => rzp.payments.fetch(p.id)))).map((p: any) => p.fee as number);
    expect(feeA).toBeGreaterThan(0);
    const fees = feeA! + feeB!;
    expect(s).toMatchObject({ id: expect.stringMatching(/^setl_[0-9A-Za-z]{14}$/), entity: 'settlement', status: 'created', amount: 50000 - 5000 - fees, fees, utr: null });
    expect(await rzp.settlements.fetch(s.id)).toEqual(s);
    expectRazorpayError(await sdkError(other.settlements.fetch(s.id)), 400, { description: /does not exist/ });

    const now = new Date();
    const [year, month, day] = istDay(now).split('-').map(Number) as [number, number, number];
    const recon: any = await rzp.settlements.reports({ year, month, day } as any);
    expect(recon.entity).toBe('collection');
    const byId = Object.fromEntries(recon.items.map((i: any) => [i.entity_id, i]));
    // A payment's credit is what settles of it: its amount less its fee.
    expect(byId[a.id]).toMatchObject({ type: 'payment', credit: 40000 - feeA!, amount: 40000, fee: feeA, settlement_id: s.id, settled: false, method: 'card' });
    expect(byId[b.id]).toMatchObject({ type: 'payment', credit: 10000 - feeB!, settlement_id: s.id });
    expect(byId[refund.id]).toMatchObject({ type: 'refund', debit: 5000, payment_id: a.id, settlement_id: s.id });
    expect(recon.items).toHaveLength(3);
    expect(((await rzp.settlements.reports({ year, month, count: 1 } as any)) as any).items).toHaveLength(1);
  });

  it('a past day is processed, with a UTR, and listed after today', async () => {
    const old = await createPayment(t.api, { ...cardBody(CARDS.visa), amount: 7000 });
    await sys.sql(`UPDATE payments SET captured_at = captured_at - interval '3 days' WHERE id = $1`, [old.id]);
    const all = await rzp.settlements.all({ count: 10 });
    expect(all.count).toBe(2);
    const past: any = all.items[1];
    const oldFee = ((await rzp.payments.fetch(old.id)) as any).fee as number;
    expect(past).toMatchObject({ status: 'processed', amount: 7000 - oldFee, fees: oldFee, utr: expect.stringMatching(/^\d{12}$/) });
    expect((await rzp.settlements.all({ skip: 1 })).items.map((x: any) => x.id)).toEqual([past.id]);
    expect(await rzp.settlements.fetch(past.id)).toEqual(past);
  });

  it('settlement.processed is sent for the day that ended (the 00:05 IST run), with the settlement', async () => {
    const receiver = await new Receiver().start();
    try {
      expect((await t.api.post('/webhook-endpoints', { url: `${receiver.url}/rzp`, events: ['settlement.processed'], format: 'razorpay', secret: 'settle-secret' })).status).toBe(201);
      const late = await createPayment(t.api, { ...cardBody(CARDS.visa), amount: 3000 });
      // 24 hours back is always in the previous IST day: the day the run settles.
      await sys.sql(`UPDATE payments SET captured_at = now() - interval '24 hours' WHERE id = $1`, [late.id]);
      await sys.runtime.boss.send(QUEUES.razorpaySettle, {});
      const [hook] = await eventually(async () => receiver.received.filter((r) => r.body?.event === 'settlement.processed'), (h) => h.length === 1);
      expect(Razorpay.validateWebhookSignature(hook!.rawBody, String(hook!.headers['x-razorpay-signature']), 'settle-secret')).toBe(true);
      const s = hook!.body.payload.settlement.entity;
      const lateFee = ((await rzp.payments.fetch(late.id)) as any).fee as number;
      expect(s).toMatchObject({ entity: 'settlement', status: 'processed', amount: 3000 - lateFee, fees: lateFee, utr: expect.stringMatching(/^\d{12}$/) });
      expect(await rzp.settlements.fetch(s.id)).toEqual(s);
    } finally {
      await receiver.stop();
    }
  });

  it('bad input is a Razorpay 400', async () => {
    expectRazorpayError(await sdkError(rzp.settlements.fetch('setl_nope')), 400);
    expectRazorpayError(await sdkError(rzp.settlements.reports({ month: 13, year: 2026 } as any)), 400, { field: 'month' });
  });
});

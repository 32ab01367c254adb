import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../../src/jobs/boss.ts';
import { Client, registerTenant, type TestTenant } from '../../support/client.ts';
import { cardBody, createPayment, eventually } from '../../support/payments.ts';
import { basicAuth, expectRazorpayError, razorpayKeys, razorpaySdk, sdkError, type RazorpayKeys } from '../../support/razorpay.ts';
import { Receiver } from '../../support/receiver.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * The tenant clock (README, "Time travel") through the Razorpay face: an authorization taken by
 * Razorpay's checkout lapses on Razorpay's window and outcome (auto-refunded after 3 days), and an
 * advance sends the daily settlement.processed for each day it passes, once; the face's own
 * objects (links, invoices, QR codes) end, and are dated, on the clock.
 */
const DAY = 86_400_000;
const IST = 330 * 60_000;
const SECRET = 'clock-secret';

let sys: TestSystem;
const receivers: Receiver[] = [];

beforeAll(async () => {
  sys = await startTestSystem({ WEBHOOK_RETRY_SCHEDULE: 'none' });
});
afterAll(async () => {
  for (const r of receivers) await r.stop();
  await sys?.stop();
});

interface Shop { t: TestTenant; keys: RazorpayKeys; rzp: Razorpay; receiver: Receiver }

/** A tenant with Razorpay keys and a Razorpay-format endpoint for `events`. */
async function shop(events: string[]): Promise<Shop> {
  const t = await registerTenant(sys.url);
  const keys = await razorpayKeys(t);
  const receiver = await new Receiver().start();
  receivers.push(receiver);
  const ep = await t.api.post('/webhook-endpoints', { url: `${receiver.url}/rzp`, events, format: 'razorpay', secret: SECRET });
  expect(ep.status, ep.text).toBe(201);
  return { t, keys, rzp: razorpaySdk(sys.url, keys), receiver };
}

const clockTime = async (t: TestTenant) => new Date((await t.api.get('/test-clock')).body.time).getTime();

/** Advances the tenant's clock and waits until the advance has ended. */
async function advance(t: TestTenant, body: Record<string, unknown>) {
  const res = await t.api.post('/test-clock/advance', body);
  expect(res.status, res.text).toBe(202);
  return eventually(async () => (await t.api.get('/test-clock')).body, (c) => c.status === 'ready', 30_000);
}

/** Pays a /v1 order on the hosted checkout of a session opened with the Razorpay key_id (checkout.js in Razorpay mode). */
async function payThroughRazorpayCheckout(s: Shop, orderId: string): Promise<string> {
  const opened = await new Client(sys.url).post('/api/v1/checkout/sessions', { order_id: orderId }, { key: s.keys.key_id });
  expect(opened.status, opened.text).toBe(201);
  const res = await new Client(sys.url).post(`/checkout/${opened.body.id}/pay`, { method: 'card', card: cardBody().card }, { headers: { 'idempotency-key': `k-${orderId}` } });
  expect(res.status, res.text).toBe(200);
  return res.body.payment.id;
}

const hooks = (r: Receiver, event?: string) => r.received.filter((h) => h.path === '/rzp' && (event === undefined || h.body?.event === event));

describe('an authorization left uncaptured, on the clock', () => {
  it("through Razorpay's checkout: auto-refunded 3 days after creation, read as refunded by the SDK, told by refund.created and refund.processed", async () => {
    const s = await shop(['payment.authorized', 'payment.failed', 'refund.created', 'refund.processed']);
    const order = await s.rzp.orders.create({ amount: 25000, currency: 'INR', payment_capture: 0 as never });
    const id = await payThroughRazorpayCheckout(s, order.id);
    expect(await s.rzp.payments.fetch(id)).toMatchObject({ status: 'authorized', captured: false });
    const native = (await s.t.api.get(`/payments/${id}`)).body;
    expect(new Date(native.expires_at).getTime() - new Date(native.created_at).getTime()).toBe(3 * DAY);

    // The face's own payment calls (createUpi here) take Razorpay's window too.
    const upiOrder = await s.rzp.orders.create({ amount: 5000, currency: 'INR', payment_capture: 0 as never });
    const upi = await s.rzp.payments.createUpi({
      amount: 5000, currency: 'INR', order_id: upiOrder.id, email: 'payer@example.com', contact: '9123456789', method: 'upi', ip: '203.0.113.7', referer: 'http://shop.example', user_agent: 'Mozilla/5.0',
      upi: { flow: 'collect', vpa: 'success@razorpay' },
    } as any);
    await eventually(() => s.rzp.payments.fetch(upi.razorpay_payment_id), (x: any) => x.status === 'authorized');
    const upiNative = (await s.t.api.get(`/payments/${upi.razorpay_payment_id}`)).body;
    expect(new Date(upiNative.expires_at).getTime() - new Date(upiNative.created_at).getTime()).toBe(3 * DAY);

    // The same tenant's payment made through the native API keeps the ledger's (Stripe's) 7 days.
    const plain = await createPayment(s.t.api, cardBody(undefined, { capture: 'manual' }));
    expect(new Date(plain.expires_at).getTime() - new Date(plain.authorized_at).getTime()).toBe(7 * DAY);

    await advance(s.t, { by: '2d' });
    expect((await s.rzp.payments.fetch(id)).status).toBe('authorized');
    await advance(s.t, { by: '2d' });

    expect((await s.t.api.get(`/payments/${id}`)).body.status).toBe('expired');
    const p: any = await s.rzp.payments.fetch(id);
    expect(p).toMatchObject({ status: 'refunded', captured: false, amount_refunded: 25000, refund_status: 'full', error_code: null, error_reason: null });
    expect((await s.t.api.get(`/payments/${plain.id}`)).body.status).toBe('authorized');
    expect(await s.rzp.payments.fetch(upi.razorpay_payment_id)).toMatchObject({ status: 'refunded', captured: false, amount_refunded: 5000 });

    const [created, processed] = await eventually(async () => hooks(s.receiver).filter((h) => h.body.event.startsWith('refund.') && h.body.payload.payment.entity.id === id), (h) => h.length === 2);
    expect([created!.body.event, processed!.body.event]).toEqual(['refund.created', 'refund.processed']);
    for (const h of [created!, processed!]) {
      expect(Razorpay.validateWebhookSignature(h.rawBody, String(h.headers['x-razorpay-signature']), SECRET)).toBe(true);
      expect(h.body.contains).toEqual(['refund', 'payment']);
      expect(h.body.payload.refund.entity).toMatchObject({ id: expect.stringMatching(/^rfnd_[0-9A-Za-z]{14}$/), entity: 'refund', amount: 25000, payment_id: id, speed_processed: 'normal' });
      expect(h.body.payload.payment.entity).toMatchObject({ id, status: 'refunded', captured: false, amount_refunded: 25000, refund_status: 'full' });
      // Dated when it lapsed on the clock: 3 days after the payment's creation.
      expect(h.body.created_at).toBe(Math.floor(new Date(native.expires_at).getTime() / 1000));
    }
    expect(created!.body.payload.refund.entity.status).toBe('pending');
    expect(processed!.body.payload.refund.entity.status).toBe('processed');
    expect(created!.body.payload.refund.entity.id).toBe(processed!.body.payload.refund.entity.id);
    // Razorpay tells of an auto-refund by the refund's events, never payment.failed.
    expect(hooks(s.receiver, 'payment.failed')).toHaveLength(0);
    expect(hooks(s.receiver, 'payment.authorized').map((h) => h.body.payload.payment.entity.id)).toContain(id);
  });
});

describe("Razorpay's settlements, on the clock", () => {
  it('an advance sends settlement.processed for each day it passes that has captures, once each, in order, dated 00:05 IST the next day', async () => {
    const s = await shop(['settlement.processed']);
    const dayOf = (ms: number) => new Date(ms + IST).toISOString().slice(0, 10);
    const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) - IST;
    const d0 = dayOf(await clockTime(s.t));
    const a = await createPayment(s.t.api, { ...cardBody(), amount: 10000 });

    // To 00:01 IST the next day: d0 has ended, but its settlement is not due until 00:05.
    const d1 = dayOf(dayStart(d0) + DAY);
    await advance(s.t, { to: new Date(dayStart(d1) + 60_000).toISOString() });
    expect(dayOf(await clockTime(s.t))).toBe(d1);
    const b = await createPayment(s.t.api, { ...cardBody(), amount: 20000 });
    expect(hooks(s.receiver)).toHaveLength(0);

    await advance(s.t, { by: '3d' });
    const sent = await eventually(async () => hooks(s.receiver, 'settlement.processed'), (h) => h.length >= 2);
    const byTime = [...sent].sort((x, y) => x.body.created_at - y.body.created_at);
    // One per day with captures (d0 and d1; the two days after had none), each dated at 00:05 IST of the next day.
    expect(byTime.map((h) => h.body.created_at)).toEqual([d1, dayOf(dayStart(d1) + DAY)].map((d) => (dayStart(d) + 5 * 60_000) / 1000));
    const fee = async (id: string) => ((await s.rzp.payments.fetch(id)) as any).fee as number;
    const [first, second] = byTime.map((h) => h.body.payload.settlement.entity);
    expect(first).toMatchObject({ status: 'processed', amount: 10000 - (await fee(a.id)), utr: expect.stringMatching(/^\d{12}$/) });
    expect(second).toMatchObject({ status: 'processed', amount: 20000 - (await fee(b.id)), utr: expect.stringMatching(/^\d{12}$/) });
    for (const h of sent) expect(Razorpay.validateWebhookSignature(h.rawBody, String(h.headers['x-razorpay-signature']), SECRET)).toBe(true);
    // The SDK lists the same two settlements, processed.
    const listed = (await s.rzp.settlements.all()).items as any[];
    expect(listed.map((x) => x.id).sort()).toEqual([first.id, second.id].sort());
    expect(listed.every((x) => x.status === 'processed')).toBe(true);

    // Neither a second advance nor the real-time 00:05 IST run sends a day again.
    await advance(s.t, { by: '2d' });
    const job = await sys.runtime.boss.send(QUEUES.razorpaySettle, { day: d0 });
    await eventually(() => sys.runtime.boss.getJobById(QUEUES.razorpaySettle, job!), (j) => j?.state === 'completed');
    const rows = await sys.sql<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'settlement.processed'`, [s.t.id]);
    expect(rows[0]!.n).toBe(2);
    expect(hooks(s.receiver, 'settlement.processed')).toHaveLength(2);
  });
});

describe("Razorpay's own objects, on the clock", () => {
  const events = ['payment_link.expired', 'invoice.expired', 'qr_code.closed', 'virtual_account.closed'];
  const count = async (tenantId: string, type: string) =>
    (await sys.sql<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = $2`, [tenantId, type]))[0]!.n;

  it('an advance past expire_by / close_by expires the link and invoice and closes the QR code and virtual account, with their webhooks dated then, once', async () => {
    const s = await shop(events);
    const now = Math.floor((await clockTime(s.t)) / 1000);
    const link: any = await s.rzp.paymentLink.create({ amount: 10000, currency: 'INR', expire_by: now + 3600 } as any);
    const inv: any = await s.rzp.invoices.create({ type: 'invoice', customer: { email: 'c@example.com' }, line_items: [{ name: 'Thing', amount: 5000 }], expire_by: now + 7200 } as any);
    const qr: any = await s.rzp.qrCode.create({ type: 'upi_qr', usage: 'single_use', fixed_amount: true, payment_amount: 500, close_by: now + 5400 });
    const va: any = await s.rzp.virtualAccounts.create({ receivers: { types: ['vpa'] }, close_by: now + 9000 } as any);
    // One that the advance does not reach stays open.
    const later: any = await s.rzp.paymentLink.create({ amount: 10000, currency: 'INR', expire_by: now + 10 * 86_400 } as any);

    await advance(s.t, { by: '4d' });
    expect(await s.rzp.paymentLink.fetch(link.id)).toMatchObject({ status: 'expired', expired_at: expect.any(Number) });
    expect(await s.rzp.invoices.fetch(inv.id)).toMatchObject({ status: 'expired' });
    expect(await s.rzp.qrCode.fetch(qr.id)).toMatchObject({ status: 'closed', close_reason: null });
    expect(await s.rzp.virtualAccounts.fetch(va.id)).toMatchObject({ status: 'closed' });
    expect((await s.rzp.paymentLink.fetch(later.id)).status).toBe('created');

    // Each at its own moment on the clock (not when the advance ran, which is before expire_by in real time), in that order.
    const sent = await eventually(async () => hooks(s.receiver), (h) => h.length === 4);
    const byTime = [...sent].sort((x, y) => x.body.created_at - y.body.created_at);
    expect(byTime.map((h) => h.body.event)).toEqual(['payment_link.expired', 'qr_code.closed', 'invoice.expired', 'virtual_account.closed']);
    const [l, q, i, v] = byTime.map((h) => h.body);
    const within = (t: number, from: number) => expect(t >= from && t < from + 5, `${t} at ${from}`).toBe(true);
    within(l.created_at, now + 3600);
    within(l.payload.payment_link.entity.expired_at, now + 3600);
    within(q.created_at, now + 5400);
    within(q.payload.qr_code.entity.closed_at, now + 5400);
    within(i.created_at, now + 7200);
    within(i.payload.invoice.entity.expired_at, now + 7200);
    within(v.created_at, now + 9000);
    within(v.payload.virtual_account.entity.closed_at, now + 9000);
    for (const h of sent) expect(Razorpay.validateWebhookSignature(h.rawBody, String(h.headers['x-razorpay-signature']), SECRET)).toBe(true);

    // The real-time jobs, whenever they run, find them ended and leave them.
    for (const id of [link.id, inv.id, qr.id, va.id]) {
      const job = await sys.runtime.boss.send(QUEUES.razorpayExpire, { id });
      await eventually(() => sys.runtime.boss.getJobById(QUEUES.razorpayExpire, job!), (j) => j?.state === 'completed');
    }
    await advance(s.t, { by: '1d' });
    for (const type of events) expect(await count(s.t.id, type)).toBe(1);
  });

  it('on an advanced clock: an expire_by in its past is a Razorpay 400, its objects are dated on it, and a close_by just ahead of it closes in real time', async () => {
    const s = await shop(events);
    await advance(s.t, { by: '30d' });
    const now = Math.floor((await clockTime(s.t)) / 1000);
    const real = Math.floor(Date.now() / 1000);
    expect(now - real).toBeGreaterThan(29 * 86_400);

    // Ten minutes ahead in real time is 30 days in the clock's past.
    expectRazorpayError(await sdkError(s.rzp.paymentLink.create({ amount: 10000, currency: 'INR', expire_by: real + 600 } as any)), 400, { field: 'expire_by', description: /future/ });
    expectRazorpayError(await sdkError(s.rzp.qrCode.create({ type: 'upi_qr', usage: 'single_use', fixed_amount: true, payment_amount: 500, close_by: real + 600 })), 400, { field: 'close_by' });
    expectRazorpayError(await sdkError(s.rzp.invoices.create({ type: 'invoice', customer: { email: 'c@example.com' }, line_items: [{ name: 'Thing', amount: 5000 }], expire_by: real + 600 } as any)), 400, { field: 'expire_by' });
    const link: any = await s.rzp.paymentLink.create({ amount: 10000, currency: 'INR', expire_by: now + 3600 } as any);
    expectRazorpayError(await sdkError(s.rzp.paymentLink.edit(link.id, { expire_by: real + 600 } as any)), 400, { field: 'expire_by' });

    // An invoice issued now is issued at its creation, on the clock; a cancelled link is cancelled then too.
    const inv: any = await s.rzp.invoices.create({ type: 'invoice', customer: { email: 'c@example.com' }, line_items: [{ name: 'Thing', amount: 5000 }] } as any);
    expect(inv.created_at).toBeGreaterThanOrEqual(now);
    expect(Math.abs(inv.issued_at - inv.created_at)).toBeLessThanOrEqual(2);
    const cancelled: any = await s.rzp.paymentLink.cancel(link.id);
    expect(cancelled.cancelled_at).toBeGreaterThanOrEqual(now);
    expect(Math.abs(cancelled.cancelled_at - cancelled.created_at)).toBeLessThanOrEqual(2);
    // A dispute raised now must be answered within 7 days of the clock.
    const paid = await createPayment(s.t.api, { ...cardBody(), amount: 20000 });
    const dispute = await new Client(sys.url).post(`/v1/payments/${paid.id}/disputes`, {}, { key: null, headers: { authorization: basicAuth(s.keys) } });
    expect(dispute.status, dispute.text).toBe(200);
    expect(Math.abs(dispute.body.respond_by - (dispute.body.created_at + 7 * 86_400))).toBeLessThanOrEqual(2);
    expect(dispute.body.created_at).toBeGreaterThanOrEqual(now);

    // Its job is due when the clock reads close_by: two seconds from now in real time, not thirty days.
    const qr: any = await s.rzp.qrCode.create({ type: 'upi_qr', usage: 'single_use', fixed_amount: true, payment_amount: 500, close_by: now + 2 });
    const [closed] = await eventually(async () => hooks(s.receiver, 'qr_code.closed'), (h) => h.length === 1, 20_000);
    expect(closed!.body.payload.qr_code.entity).toMatchObject({ id: qr.id, status: 'closed' });
    expect(closed!.body.payload.qr_code.entity.closed_at).toBeGreaterThanOrEqual(now + 2);
    expect(closed!.body.created_at).toBeGreaterThanOrEqual(now + 2);
  });
});

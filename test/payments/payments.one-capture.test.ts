import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, idemKey, registerTenant, type ApiResponse, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { razorpayKeys, razorpaySdk, sdkError } from '../support/razorpay.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

// At most one payment of an order ever ends captured, whichever path settles it: the API, the
// hosted page's 3-D Secure step, /simulate, the async settlement job, a capture (native or
// Razorpay face). A late one ends failed with order_already_paid; a late capture is refused.

let sys: TestSystem;
let t: TestTenant;
let root: Client;
let rzp: ReturnType<typeof razorpaySdk>;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  root = new Client(sys.url);
  rzp = razorpaySdk(sys.url, await razorpayKeys(t));
  expect((await t.api.patch('/auth/settings', { auto_process: { delay_ms: 100 } })).status).toBe(200);
});
afterAll(() => sys?.stop());

const AMOUNT = 3300;
const onOrder = (orderId: string, body: Record<string, unknown>) => ({ ...body, amount: undefined, currency: undefined, order_id: orderId });
const card = (number: string, extra: Record<string, unknown> = {}) => cardBody(number, extra);
const upi = (vpa: string) => ({ method: 'upi', vpa });

async function newOrder(): Promise<string> {
  const res = await t.api.post('/orders', { amount: AMOUNT, currency: 'INR' });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

async function paymentsOf(orderId: string): Promise<any[]> {
  return (await t.api.get(`/orders/${orderId}/payments?limit=100`)).body.data;
}

/** Waits until none of the order's payments is still pending (the settlement jobs have run). */
const settled = (orderId: string) => eventually(() => paymentsOf(orderId), (ps) => ps.every((p) => p.status !== 'pending'));

async function expectPaidOnce(orderId: string): Promise<any[]> {
  const payments = await paymentsOf(orderId);
  const captured = payments.filter((p) => p.amount_captured > 0 || p.status === 'success');
  expect(captured.map((p) => p.id), JSON.stringify(payments.map((p) => [p.id, p.status, p.failure_code]))).toHaveLength(1);
  const rows = await sys.sql<{ n: string }>(`SELECT count(*) AS n FROM payments WHERE order_id = $1 AND (captured_at IS NOT NULL OR amount_captured > 0)`, [orderId]);
  expect(Number(rows[0]!.n)).toBe(1);
  expect((await t.api.get(`/orders/${orderId}`)).body).toMatchObject({ status: 'paid', amount_paid: AMOUNT, amount_due: 0 });
  return payments;
}

const expectLate = (p: any) => expect(p).toMatchObject({ status: 'failed', failure_code: 'order_already_paid', amount_captured: 0 });

describe('an order is paid once', () => {
  it('a delayed UPI payment that settles after another paid the order ends failed (the issue\'s commands)', async () => {
    const order = await newOrder();
    const slow = await createPayment(t.api, onOrder(order, upi('delayed@sandpay')));
    expect(slow.status).toBe('pending');
    const fast = await createPayment(t.api, onOrder(order, upi('success@sandpay')));
    expect(fast.status).toBe('success');
    await settled(order);
    const payments = await expectPaidOnce(order);
    expectLate(payments.find((p) => p.id === slow.id));
    const events = (await t.api.get(`/events?object_id=${slow.id}&limit=100`)).body.data.map((e: any) => e.type);
    expect(events).toContain('payment.failed');
    expect(events).not.toContain('payment.success');
  });

  it('/simulate success on a pending 3-D Secure payment of a paid order ends it failed; a late capture is refused', async () => {
    const order = await newOrder();
    const pending = await createPayment(t.api, onOrder(order, card(CARDS.stayPending)));
    const held = await createPayment(t.api, onOrder(order, card(CARDS.visa, { capture: 'manual' })));
    expect(held.status).toBe('authorized');
    await createPayment(t.api, onOrder(order, card(CARDS.visa)));

    const simulated = await t.api.post(`/payments/${pending.id}/simulate`, { outcome: 'success' });
    expect(simulated.status, simulated.text).toBe(200);
    expectLate(simulated.body);
    expect(simulated.body.failure_message).toMatch(/already paid/);

    expectError(await t.api.post(`/payments/${held.id}/capture`, {}), 409, { code: 'order_already_paid' });
    expectRazorpayCaptureRefused(await sdkError(rzp.payments.capture(held.id, AMOUNT, 'INR')));
    expect((await t.api.get(`/payments/${held.id}`)).body).toMatchObject({ status: 'authorized', amount_captured: 0 });
    await expectPaidOnce(order);
  });

  it('a hosted-page 3-D Secure payment left open when the API pays the order is never captured; the page says the order is paid', async () => {
    const session = (await t.api.post('/checkout/sessions', { amount: AMOUNT, currency: 'INR' })).body;
    const challenged = await root.post(`/checkout/${session.id}/pay`, { method: 'card', card: card(CARDS.delayed).card }, { headers: { 'idempotency-key': idemKey() } });
    expect(challenged.body).toMatchObject({ payment: { status: 'pending', next_action: 'three_ds_challenge' } });
    const pagePayment: string = challenged.body.payment.id;
    await createPayment(t.api, onOrder(session.order_id, card(CARDS.visa)));

    expectError(await root.post(`/checkout/${session.id}/authenticate`, { outcome: 'complete' }), 409, { code: 'order_already_paid' });
    expect((await root.get(`/checkout/${session.id}/status`)).body).toMatchObject({ status: 'complete' });
    // The bank's late "yes" for it (here: /simulate) still captures nothing.
    expectLate((await t.api.post(`/payments/${pagePayment}/simulate`, { outcome: 'success' })).body);
    await expectPaidOnce(session.order_id);
  });

  it('races 20 attempts through every path on one order and finds exactly one captured', async () => {
    for (let round = 0; round < 2; round++) {
      const session = (await t.api.post('/checkout/sessions', { amount: AMOUNT, currency: 'INR' })).body;
      const order: string = session.order_id;
      // Open attempts first: the hosted page takes a payment only while none is in progress.
      const page = await root.post(`/checkout/${session.id}/pay`, { method: 'card', card: card(CARDS.delayed).card }, { headers: { 'idempotency-key': idemKey() } });
      expect(page.body.payment.status).toBe('pending');
      const pending = await Promise.all([0, 1, 2, 3, 4].map(() => createPayment(t.api, onOrder(order, card(CARDS.stayPending)))));
      const held = await Promise.all([0, 1, 2, 3].map(() => createPayment(t.api, onOrder(order, card(CARDS.visa, { capture: 'manual' })))));

      const attempts: Promise<ApiResponse | { razorpay: unknown }>[] = [
        root.post(`/checkout/${session.id}/authenticate`, { outcome: 'complete' }),
        ...pending.map((p) => t.api.post(`/payments/${p.id}/simulate`, { outcome: 'success' })),
        ...held.slice(0, 2).map((p) => t.api.post(`/payments/${p.id}/capture`, {})),
        ...held.slice(2).map((p) => rzp.payments.capture(p.id, AMOUNT, 'INR').then((razorpay) => ({ razorpay }), (razorpay) => ({ razorpay }))),
        // Settled by the payment-process job, whenever it runs.
        ...[0, 1, 2, 3].map(() => t.api.post('/payments', onOrder(order, upi('delayed@sandpay')), { idem: idemKey() })),
        ...[0, 1, 2, 3, 4, 5].map(() => t.api.post('/payments', onOrder(order, card(CARDS.visa)), { idem: idemKey() })),
      ];
      expect(attempts).toHaveLength(20);
      const answers = await Promise.all(attempts);
      for (const a of answers) {
        if ('razorpay' in a) continue;
        // Every answer is a success, a late failure or a refusal naming the paid order: never a 500.
        expect([200, 201, 409], a.text).toContain(a.status);
        // (The page's challenge may instead find its checkout completed by an authorization made meanwhile.)
        if (a.status === 409) expect(['order_already_paid', 'checkout_complete']).toContain(a.body.error.code);
      }
      // The page's 3-D Secure payment waits for a payer who was told the order is paid, unless
      // its challenge won the race: the bank's late "yes" for it captures nothing either.
      await eventually(() => paymentsOf(order), (ps) => ps.every((p) => p.method !== 'upi' || p.status !== 'pending'));
      for (const p of (await paymentsOf(order)).filter((x) => x.status === 'pending')) {
        expectLate((await t.api.post(`/payments/${p.id}/simulate`, { outcome: 'success' })).body);
      }
      const payments = await expectPaidOnce(order);
      for (const p of payments) {
        if (p.status === 'success' || p.status === 'authorized') continue;
        expectLate(p);
      }
    }
  });
});

function expectRazorpayCaptureRefused(e: { statusCode: number; error: Record<string, any> }) {
  expect(e.statusCode, JSON.stringify(e.error)).toBe(400);
  expect(e.error.description).toMatch(/already paid/);
}

describe("the order's capture setting", () => {
  it('a payment through /api/v1/payments on a payment_capture: 0 order stays authorized; a contrary capture is refused', async () => {
    const order = await rzp.orders.create({ amount: AMOUNT, currency: 'INR', payment_capture: 0 } as never);
    const p = await createPayment(t.api, onOrder(order.id, card(CARDS.visa)));
    expect(p).toMatchObject({ status: 'authorized', capture_method: 'manual', amount_captured: 0 });
    expectError(await t.api.post('/payments', onOrder(order.id, card(CARDS.visa, { capture: 'automatic' })), { idem: idemKey() }), 400, { code: 'capture_mismatch', param: 'capture' });
    expect((await t.api.post(`/payments/${p.id}/capture`, {})).body).toMatchObject({ status: 'success', amount_captured: AMOUNT });
  });

  it("the hosted page's challenge, once another authorization completed its checkout, says so (the order is not paid)", async () => {
    const order = await rzp.orders.create({ amount: AMOUNT, currency: 'INR', payment_capture: 0 } as never);
    const session = (await t.api.post('/checkout/sessions', { order_id: order.id })).body;
    await root.post(`/checkout/${session.id}/pay`, { method: 'card', card: card(CARDS.delayed).card }, { headers: { 'idempotency-key': idemKey() } });
    expect((await createPayment(t.api, onOrder(order.id, card(CARDS.visa)))).status).toBe('authorized');
    expectError(await root.post(`/checkout/${session.id}/authenticate`, { outcome: 'complete' }), 409, { code: 'checkout_complete' });
    expect((await t.api.get(`/orders/${order.id}`)).body.status).not.toBe('paid');
  });

  it("the hosted page's 3-D Secure step on a manual-capture order authorizes, and does not capture", async () => {
    const order = await rzp.orders.create({ amount: AMOUNT, currency: 'INR', payment_capture: 0 } as never);
    const session = (await t.api.post('/checkout/sessions', { order_id: order.id })).body;
    await root.post(`/checkout/${session.id}/pay`, { method: 'card', card: card(CARDS.delayed).card }, { headers: { 'idempotency-key': idemKey() } });
    const answered = await root.post(`/checkout/${session.id}/authenticate`, { outcome: 'complete' });
    expect(answered.body.payment).toMatchObject({ status: 'authorized' });
    expect((await t.api.get(`/orders/${order.id}`)).body.status).not.toBe('paid');
  });
});

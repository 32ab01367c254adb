import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, registerTenant, type TestTenant } from '../../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../../support/payments.ts';
import { basicAuth, expectRazorpayError, razorpayKeys, razorpaySdk, sdkError, type RazorpayKeys } from '../../support/razorpay.ts';
import { Receiver } from '../../support/receiver.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * The official `razorpay` SDK, pointed at Sandpay by its host alone: orders, payments, refunds
 * and Razorpay-format webhooks, all views of the same native objects.
 */
let sys: TestSystem;
let t: TestTenant;
let keys: RazorpayKeys;
let rzp: Razorpay;
let receiver: Receiver;
const WEBHOOK_SECRET = 'my-razorpay-webhook-secret';

beforeAll(async () => {
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '100', WEBHOOK_RETRY_SCHEDULE: 'none' });
  t = await registerTenant(sys.url);
  keys = await razorpayKeys(t);
  rzp = razorpaySdk(sys.url, keys);
  receiver = await new Receiver().start();
  const ep = await t.api.post('/webhook-endpoints', { url: `${receiver.url}/razorpay`, events: ['*'], format: 'razorpay', secret: WEBHOOK_SECRET });
  expect(ep.status, ep.text).toBe(201);
  expect(ep.body).toMatchObject({ format: 'razorpay', secret: WEBHOOK_SECRET });
});
afterAll(async () => {
  await receiver?.stop();
  await sys?.stop();
});

const rzpBodies = (event: string) => receiver.received.filter((r) => r.path === '/razorpay' && r.body?.event === event);

describe('Razorpay key pairs', () => {
  it('are rzp_test_ + 14 base62 characters, shown once, and stored encrypted', async () => {
    expect(keys.key_id).toMatch(/^rzp_test_[0-9A-Za-z]{14}$/);
    expect(keys.key_secret).toMatch(/^[0-9A-Za-z]{24}$/);
    expectError(await t.api.post('/auth/keys', { type: 'razorpay' }), 409, { code: 'key_exists' });
    const [row] = await sys.sql<{ key_hash: string; secret_ciphertext: string }>(`SELECT key_hash, secret_ciphertext FROM api_keys WHERE type = 'razorpay' AND tenant_id = $1`, [t.id]);
    expect(row!.secret_ciphertext).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(keys.key_secret);
    expect(JSON.stringify(row)).not.toContain(keys.key_id);
    const me = await t.api.get('/auth/me');
    expect(me.body.keys.map((k: any) => k.hint)).toContain(`rzp_test_...${keys.key_id.slice(-4)}`);
    expect(me.text).not.toContain(keys.key_secret);
    // Nowhere else in the database either: not in the request log, the audit log or the idempotency store.
    for (const table of ['request_log', 'audit_log', 'idempotency_keys']) {
      const [hit] = await sys.sql<{ n: string }>(`SELECT count(*) AS n FROM ${table} x WHERE x::text LIKE '%' || $1 || '%'`, [keys.key_secret]);
      expect(Number(hit!.n), table).toBe(0);
    }
  });

  it('a wrong secret, an unknown key or no credentials is a Razorpay-shaped 401', async () => {
    expectRazorpayError(await sdkError(razorpaySdk(sys.url, { ...keys, key_secret: 'x'.repeat(24) }).orders.all()), 401, { description: /Authentication failed/ });
    expectRazorpayError(await sdkError(razorpaySdk(sys.url, { key_id: 'rzp_test_00000000000000', key_secret: 'x' }).orders.all()), 401, { description: /api key provided is invalid/ });
    const bare = await new Client(sys.url).get('/v1/orders', { key: null });
    expect(bare.status).toBe(401);
    expect(bare.body.error).toMatchObject({ code: 'BAD_REQUEST_ERROR', description: expect.stringMatching(/api key/) });
    // A Sandpay secret key is not a Razorpay credential, and a Razorpay pair is not a Sandpay key:
    // a Bearer key on /v1 speaks to the Stripe face, which has no /v1/orders (Stripe's 404).
    const bearer = await new Client(sys.url).get('/v1/orders', { key: t.sk });
    expect(bearer.status).toBe(404);
    expect(bearer.body.error).toMatchObject({ type: 'invalid_request_error', message: 'Unrecognized request URL (GET: /v1/orders).' });
    expectError(await new Client(sys.url).get('/api/v1/orders', { key: null, headers: { authorization: basicAuth(keys) } }), 401);
  });

  it('rotate like other keys: the old pair stops working, the new one works', async () => {
    const other = await registerTenant(sys.url);
    const first = await razorpayKeys(other);
    const rotated = await other.api.post('/auth/keys/rotate', { type: 'razorpay' });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body).toMatchObject({ type: 'razorpay', key_id: expect.stringMatching(/^rzp_test_/), key_secret: expect.any(String) });
    expectRazorpayError(await sdkError(razorpaySdk(sys.url, first).orders.all()), 401);
    expect((await razorpaySdk(sys.url, rotated.body).orders.all()).entity).toBe('collection');
  });
});

describe('orders through the SDK', () => {
  it('create, fetch, all with count/skip, edit notes; the same orders as /api/v1/orders', async () => {
    const created: any[] = [];
    for (let i = 0; i < 3; i++) created.push(await rzp.orders.create({ amount: 50000 + i, currency: 'INR', receipt: `rcpt-${i}`, notes: { n: String(i) } }));
    expect(created[0]).toMatchObject({ entity: 'order', amount: 50000, amount_paid: 0, amount_due: 50000, currency: 'INR', receipt: 'rcpt-0', status: 'created', attempts: 0, notes: { n: '0' }, offer_id: null });
    expect(Number.isInteger(created[0].created_at) && created[0].created_at < 1e11).toBe(true);
    expect(await rzp.orders.fetch(created[1].id)).toEqual(created[1]);

    const page1 = await rzp.orders.all({ count: 2 });
    expect(page1).toMatchObject({ entity: 'collection', count: 2 });
    expect(page1.items.map((o: any) => o.id)).toEqual([created[2].id, created[1].id]);
    const page2 = await rzp.orders.all({ count: 2, skip: 2 });
    expect(page2.items.map((o: any) => o.id)).toEqual([created[0].id]);
    expect((await rzp.orders.all({ receipt: 'rcpt-1' } as never)).items.map((o: any) => o.id)).toEqual([created[1].id]);
    expect((await rzp.orders.all({ from: created[0].created_at - 5, to: created[2].created_at + 5 })).count).toBe(3);

    const edited = await rzp.orders.edit(created[0].id, { notes: { gift: 'yes' } });
    expect(edited.notes).toEqual({ gift: 'yes' });
    const native = await t.api.get(`/orders/${created[0].id}`);
    expect(native.body).toMatchObject({ id: created[0].id, amount: 50000, receipt: 'rcpt-0', metadata: { gift: 'yes' } });
    expect((await rzp.orders.create({ amount: 100, currency: 'INR' })).notes).toEqual([]);
  });

  it('refuses what Razorpay refuses, in its shape: small amounts, unknown fields, unknown ids, skip past its bound', async () => {
    expectRazorpayError(await sdkError(rzp.orders.create({ amount: 99, currency: 'INR' })), 400, { field: 'amount', description: /atleast INR 1.00/ });
    expectRazorpayError(await sdkError(rzp.orders.create({ amount: 100, currency: 'INR', colour: 'red' } as never)), 400, { field: 'colour', description: /is\/are not required and should not be sent/ });
    expectRazorpayError(await sdkError(rzp.orders.fetch('order_doesnotexist')), 400, { description: /^order_doesnotexist is not a valid id$/ });
    expectRazorpayError(await sdkError(rzp.orders.fetch('order_00000000000000')), 400, { description: /^The id provided does not exist$/ });
    expectRazorpayError(await sdkError(rzp.orders.all({ skip: 10_001 })), 400, { field: 'skip' });
    expectRazorpayError(await sdkError(rzp.orders.all({ count: 101 })), 400, { field: 'count' });
    const unknown = await new Client(sys.url).get('/v1/subscriptions', { key: null, headers: { authorization: basicAuth(keys) } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.description).toMatch(/requested URL was not found/);
  });
});

describe('payments and refunds through the SDK', () => {
  it('a payment on an SDK order, fetched, captured, refunded twice, over-refunded; refunds fetched', async () => {
    const order = await rzp.orders.create({ amount: 50000, currency: 'INR', receipt: 'cap-1' });
    const paid = await createPayment(t.api, { ...cardBody(CARDS.visa, { capture: 'manual' }), amount: undefined, currency: undefined, order_id: order.id });

    const fetched = await rzp.payments.fetch(paid.id, { 'expand[]': 'card' });
    expect(fetched).toMatchObject({ id: paid.id, entity: 'payment', amount: 50000, currency: 'INR', status: 'authorized', captured: false, order_id: order.id, method: 'card', amount_refunded: 0, refund_status: null, error_code: null });
    expect(fetched.card).toMatchObject({ last4: '4242', network: 'Visa' });
    expect((await rzp.orders.fetchPayments(order.id)).items.map((p: any) => p.id)).toEqual([paid.id]);
    expect((await rzp.payments.all({ count: 5 })).items.map((p: any) => p.id)).toContain(paid.id);

    expectRazorpayError(await sdkError(rzp.payments.capture(paid.id, 100, 'INR')), 400, { field: 'amount', description: /equal to the amount authorized/ });
    const captured = await rzp.payments.capture(paid.id, 50000, 'INR');
    expect(captured).toMatchObject({ status: 'captured', captured: true });
    expect((await t.api.get(`/payments/${paid.id}`)).body).toMatchObject({ status: 'success', amount_captured: 50000 });
    expect((await t.api.get(`/orders/${order.id}`)).body.status).toBe('paid');
    expectRazorpayError(await sdkError(rzp.payments.capture(paid.id, 50000, 'INR')), 400, { description: /already been captured/ });

    const r1 = await rzp.payments.refund(paid.id, { amount: 10000, notes: { why: 'size' }, receipt: 'rf-1' });
    // Processed at once, as in Razorpay's test mode, and the payment shows it in the same call.
    expect(r1).toMatchObject({ entity: 'refund', amount: 10000, currency: 'INR', payment_id: paid.id, notes: { why: 'size' }, receipt: 'rf-1', status: 'processed' });
    expect(await rzp.payments.fetch(paid.id)).toMatchObject({ amount_refunded: 10000, refund_status: 'partial', status: 'captured' });
    // Razorpay's own README passes amounts as strings; its API takes them.
    const r2 = await rzp.payments.refund(paid.id, { amount: '15000' as never, speed: 'optimum' });
    const over = await sdkError(rzp.payments.refund(paid.id, { amount: 25001 }));
    expectRazorpayError(over, 400, { field: 'amount', description: /greater than amount not refunded/, reason: 'input_validation_failed' });

    expect(await rzp.refunds.fetch(r1.id)).toMatchObject({ id: r1.id, receipt: 'rf-1' });
    expect(await rzp.payments.fetchRefund(paid.id, r2.id)).toMatchObject({ id: r2.id, amount: 15000 });
    expect((await rzp.payments.fetchMultipleRefund(paid.id, { count: 1 })).items.map((r: any) => r.id)).toEqual([r2.id]);
    expect((await rzp.refunds.all({ payment_id: paid.id } as never) as any).items.map((r: any) => r.id).sort()).toEqual([r1.id, r2.id].sort());
    expect((await rzp.refunds.all()).count).toBeGreaterThanOrEqual(2);
    expect((await rzp.refunds.edit(r2.id, { notes: { ticket: '77' } })).notes).toEqual({ ticket: '77' });
    expect((await t.api.get(`/refunds/${r2.id}`)).body.metadata).toEqual({ ticket: '77' });
    expectRazorpayError(await sdkError(rzp.payments.fetchRefund(paid.id, 'rfnd_00000000000000000000')), 400, { description: /does not exist/ });

    expect(await rzp.payments.fetch(paid.id)).toMatchObject({ status: 'captured', amount_refunded: 25000, refund_status: 'partial', captured: true });
    expect((await rzp.refunds.fetch(r1.id)).status).toBe('processed');
    expect((await rzp.payments.edit(paid.id, { notes: { shipped: 'no' } })).notes).toEqual({ shipped: 'no' });
  });

  it('a declined payment reads as failed, with Razorpay error fields', async () => {
    const order = await rzp.orders.create({ amount: 5000, currency: 'INR' });
    const res = await t.api.post('/payments', { ...cardBody(CARDS.declined), amount: undefined, currency: undefined, order_id: order.id }, { idem: `d-${order.id}` });
    const p = await rzp.payments.fetch(res.body.id);
    expect(p).toMatchObject({ status: 'failed', captured: false, error_code: 'BAD_REQUEST_ERROR', error_source: 'bank', error_step: 'payment_authorization', error_reason: 'card_declined' });
    expect((await rzp.orders.fetch(order.id)).status).toBe('attempted');
  });

  it('a payment made natively is listed by /v1, and a /v1 order paid natively is listed by /api/v1', async () => {
    const native = await createPayment(t.api, cardBody(CARDS.mastercard));
    expect((await rzp.payments.all({ count: 3 })).items.map((p: any) => p.id)).toContain(native.id);
    const order = await rzp.orders.create({ amount: 7000, currency: 'INR' });
    const paid = await createPayment(t.api, { ...cardBody(), amount: undefined, currency: undefined, order_id: order.id });
    expect((await t.api.get('/payments?limit=5')).body.data.map((p: any) => p.id)).toContain(paid.id);
    expect((await t.api.get('/orders?limit=5')).body.data.map((o: any) => o.id)).toContain(order.id);
    expect(await rzp.payments.fetch(paid.id)).toMatchObject({ status: 'captured', order_id: order.id });
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'paid', amount_paid: 7000, amount_due: 0 });
  });
});

describe('Razorpay-format webhooks', () => {
  it('carry Razorpay event bodies that the SDK verifies, and a tampered body fails', async () => {
    for (const event of ['payment.authorized', 'payment.captured', 'order.paid', 'refund.created', 'refund.processed', 'payment.failed']) {
      await eventually(async () => rzpBodies(event).length, (n) => n > 0);
    }
    // 7 from the captured and refunded payment, 1 declined, 3 from the two native payments; deliveries run concurrently.
    const all = await eventually(async () => receiver.received.filter((r) => r.path === '/razorpay'), (xs) => xs.length >= 11);
    for (const r of all) {
      expect(Razorpay.validateWebhookSignature(r.rawBody, String(r.headers['x-razorpay-signature']), WEBHOOK_SECRET), r.rawBody).toBe(true);
      expect(r.headers['x-razorpay-event-id']).toMatch(/^evt_/);
      expect(r.body).toMatchObject({ entity: 'event', account_id: `acc_${t.id.slice(4)}`, contains: expect.any(Array), created_at: expect.any(Number) });
      expect(Object.keys(r.body.payload)).toEqual(r.body.contains);
    }
    const tampered = all[0]!.rawBody.replace(/"amount":(\d+)/, (_m, n) => `"amount":${Number(n) + 1}`);
    expect(Razorpay.validateWebhookSignature(tampered, String(all[0]!.headers['x-razorpay-signature']), WEBHOOK_SECRET)).toBe(false);

    const captured = rzpBodies('payment.captured')[0]!.body;
    expect(captured.contains).toEqual(['payment']);
    expect(captured.payload.payment.entity).toMatchObject({ entity: 'payment', status: 'captured', captured: true });
    const orderPaid = rzpBodies('order.paid')[0]!.body;
    expect(orderPaid.contains).toEqual(['payment', 'order']);
    expect(orderPaid.payload.order.entity).toMatchObject({ entity: 'order', status: 'paid' });
    expect(orderPaid.payload.payment.entity).toMatchObject({ status: 'captured', order_id: orderPaid.payload.order.entity.id });
    const refund = rzpBodies('refund.processed')[0]!.body;
    expect(refund.contains).toEqual(['refund', 'payment']);
    expect(refund.payload.refund.entity).toMatchObject({ entity: 'refund', status: 'processed' });
    expect(rzpBodies('payment.failed')[0]!.body.payload.payment.entity).toMatchObject({ status: 'failed', error_reason: 'card_declined' });
    // Native-only events never reach a Razorpay endpoint.
    expect(all.every((r) => ['payment.authorized', 'payment.captured', 'payment.failed', 'order.paid', 'refund.created', 'refund.processed', 'refund.failed'].includes(r.body.event))).toBe(true);
  });

  it('go through the same dead-letter queue and replay, keeping the event id', async () => {
    const flaky = await new Receiver().start();
    try {
      flaky.respond = () => ({ status: 503 });
      const ep = await t.api.post('/webhook-endpoints', { url: flaky.url, events: ['payment.captured'], format: 'razorpay' });
      expect(ep.body.secret).toMatch(/^whsec_/);
      await createPayment(t.api, cardBody());
      const dead = await eventually(async () => (await t.api.get(`/webhook-deliveries?status=dead&endpoint_id=${ep.body.id}`)).body.data, (d: any[]) => d.length === 1);
      flaky.respond = () => ({ status: 200 });
      expect((await t.api.post(`/webhook-deliveries/${dead[0].id}/retry`, {})).status).toBe(200);
      await eventually(async () => flaky.received.length, (n) => n === 2);
      const [first, replay] = flaky.received;
      expect(replay!.headers['x-razorpay-event-id']).toBe(first!.headers['x-razorpay-event-id']);
      expect(Razorpay.validateWebhookSignature(replay!.rawBody, String(replay!.headers['x-razorpay-signature']), ep.body.secret)).toBe(true);
      expect(replay!.body.event).toBe('payment.captured');
    } finally {
      await flaky.stop();
    }
  });

  it("endpoints list their format's event names only, and choose a secret only in Razorpay format", async () => {
    const url = 'http://127.0.0.1:9/hooks';
    expectError(await t.api.post('/webhook-endpoints', { url, events: ['payment.success'], format: 'razorpay' }), 400, { param: 'events.0' });
    expectError(await t.api.post('/webhook-endpoints', { url, events: ['payment.captured'] }), 400, { param: 'events.0' });
    expectError(await t.api.post('/webhook-endpoints', { url, events: ['*'], secret: 'abcdefgh' }), 400, { param: 'secret' });
    const ep = await t.api.post('/webhook-endpoints', { url, events: ['order.paid'], format: 'razorpay' });
    expectError(await t.api.patch(`/webhook-endpoints/${ep.body.id}`, { events: ['payment.created'] }), 400, { param: 'events.0' });
    expect((await t.api.patch(`/webhook-endpoints/${ep.body.id}`, { events: ['refund.failed'] })).body).toMatchObject({ events: ['refund.failed'], format: 'razorpay' });
  });

  it('a test event to a Razorpay endpoint is in its format too', async () => {
    const ep = (await t.api.get('/webhook-endpoints?limit=100')).body.data.find((e: any) => e.url === `${receiver.url}/razorpay`);
    const res = await t.api.post(`/webhook-endpoints/${ep.id}/test`, {});
    expect(res.status, res.text).toBe(200);
    expect(res.body.delivered).toBe(true);
    expect(JSON.parse(res.body.request.body)).toMatchObject({ entity: 'event', event: 'payment.captured', contains: ['payment'] });
    expect(Razorpay.validateWebhookSignature(res.body.request.body, res.body.request.headers['x-razorpay-signature'], WEBHOOK_SECRET)).toBe(true);
  });
});

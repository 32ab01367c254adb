import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, registerTenant, type TestTenant } from '../../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../../support/payments.ts';
import { basicAuth, expectRazorpayError, razorpayKeys, razorpaySdk, sdkError, type RazorpayKeys } from '../../support/razorpay.ts';
import { Receiver } from '../../support/receiver.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * What a Razorpay webhook handler or reconciliation job reads, as Razorpay's test mode answers it
 * (issue 23): event order, notes and contact, refunds processed at once, X-Refund-Idempotency,
 * order fields, expand[], ids, the payment entity's details, error details and webhook bytes.
 */
let sys: TestSystem;
let t: TestTenant;
let keys: RazorpayKeys;
let rzp: Razorpay;
let receiver: Receiver;
const SECRET = 'fidelity-webhook-secret';
const ID14 = (prefix: string) => new RegExp(`^${prefix}_[0-9A-Za-z]{14}$`);

beforeAll(async () => {
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '100', WEBHOOK_RETRY_SCHEDULE: 'none' });
  t = await registerTenant(sys.url);
  keys = await razorpayKeys(t);
  rzp = razorpaySdk(sys.url, keys);
  receiver = await new Receiver().start();
  const ep = await t.api.post('/webhook-endpoints', { url: `${receiver.url}/rzp`, events: ['*'], format: 'razorpay', secret: SECRET });
  expect(ep.status, ep.text).toBe(201);
});
afterAll(async () => {
  await receiver?.stop();
  await sys?.stop();
});

/** The Razorpay webhooks received about one payment, in the order they arrived. */
const hooksOf = (paymentId: string) => receiver.received.filter((r) => r.path === '/rzp' && r.body?.payload?.payment?.entity?.id === paymentId);

/** A card payment of a /v1 order (what checkout.js makes), through the native API. */
async function payOrder(orderId: string, number = CARDS.visa, extra: Record<string, unknown> = {}) {
  return createPayment(t.api, { ...cardBody(number), amount: undefined, currency: undefined, order_id: orderId, ...extra });
}

const raw = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
  new Client(sys.url).request(init.method ?? 'GET', path, { key: null, headers: { authorization: basicAuth(keys), ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });

describe('events', () => {
  it('an auto-captured payment (payment_capture "1") sends payment.authorized, then payment.captured, then order.paid', async () => {
    const order = await rzp.orders.create({ amount: 40000, currency: 'INR', payment_capture: '1' as never });
    const paid = await payOrder(order.id);
    const hooks = await eventually(async () => hooksOf(paid.id), (h) => h.length >= 3);
    expect(hooks.map((h) => h.body.event)).toEqual(['payment.authorized', 'payment.captured', 'order.paid']);
    expect(hooks[0]!.body.payload.payment.entity).toMatchObject({ status: 'authorized', captured: false, fee: null, tax: null });
    expect(hooks[1]!.body.payload.payment.entity).toMatchObject({ status: 'captured', captured: true });
    expect(hooks[0]!.headers['x-razorpay-event-id']).not.toBe(hooks[1]!.headers['x-razorpay-event-id']);
  });

  it('a manually captured payment sends payment.authorized once, at authorization, and payment.captured at capture', async () => {
    const order = await rzp.orders.create({ amount: 40000, currency: 'INR', payment_capture: 0 as never });
    const paid = await payOrder(order.id);
    await eventually(async () => hooksOf(paid.id), (h) => h.length >= 1);
    await rzp.payments.capture(paid.id, 40000, 'INR');
    const hooks = await eventually(async () => hooksOf(paid.id), (h) => h.length >= 3);
    expect(hooks.map((h) => h.body.event)).toEqual(['payment.authorized', 'payment.captured', 'order.paid']);
  });
});

describe('checkout notes and prefill', () => {
  it("reach the payment: notes as its notes, prefill contact and email; the session's link is not in them", async () => {
    const order = await rzp.orders.create({ amount: 25000, currency: 'INR' });
    const opened = await new Client(sys.url).post('/api/v1/checkout/sessions',
      { order_id: order.id, prefill: { contact: '+919876543210', email: 'Payer@Example.com' }, notes: { cart: '42', channel: 'web' } }, { key: keys.key_id });
    expect(opened.status, opened.text).toBe(201);
    const res = await new Client(sys.url).post(`/checkout/${opened.body.id}/pay`, { method: 'card', card: cardBody().card }, { headers: { 'idempotency-key': `k-${order.id}` } });
    expect(res.status, res.text).toBe(200);
    const p = await rzp.payments.fetch(res.body.payment.id);
    expect(p).toMatchObject({ notes: { cart: '42', channel: 'web' }, contact: '+919876543210', email: 'payer@example.com' });
    expect(JSON.stringify(p.notes)).not.toContain('checkout_session_id');
    const hook = await eventually(async () => hooksOf(p.id).find((h) => h.body.event === 'payment.captured'), (h) => h !== undefined);
    expect(hook!.body.payload.payment.entity).toMatchObject({ notes: { cart: '42', channel: 'web' }, contact: '+919876543210' });
  });
});

describe('refunds', () => {
  it('are processed at once with the payment updated in the same call; the refund.processed webhook carries it refunded/full', async () => {
    const order = await rzp.orders.create({ amount: 30000, currency: 'INR' });
    const paid = await payOrder(order.id);
    const part = await rzp.payments.refund(paid.id, { amount: 10000 });
    expect(part).toMatchObject({ status: 'processed', speed_requested: 'normal', speed_processed: 'normal' });
    expect(part.id).toMatch(ID14('rfnd'));
    expect(await rzp.payments.fetch(paid.id)).toMatchObject({ status: 'captured', amount_refunded: 10000, refund_status: 'partial' });
    const rest = await rzp.payments.refund(paid.id, { speed: 'optimum' });
    expect(rest).toMatchObject({ status: 'processed', amount: 20000, speed_requested: 'optimum', speed_processed: 'instant' });
    expect(await rzp.payments.fetch(paid.id)).toMatchObject({ status: 'refunded', amount_refunded: 30000, refund_status: 'full' });

    const processed = await eventually(async () => hooksOf(paid.id).filter((h) => h.body.event === 'refund.processed'), (h) => h.length === 2);
    const last = processed.find((h) => h.body.payload.refund.entity.id === rest.id)!;
    expect(last.body.payload.payment.entity).toMatchObject({ status: 'refunded', amount_refunded: 30000, refund_status: 'full' });
    const first = processed.find((h) => h.body.payload.refund.entity.id === part.id)!;
    expect(first.body.payload.payment.entity).toMatchObject({ status: 'captured', amount_refunded: 10000, refund_status: 'partial' });

    // A fully refunded payment is said to be so, not "not captured".
    expectRazorpayError(await sdkError(rzp.payments.refund(paid.id, { amount: 100 })), 400, { description: /^The payment has been fully refunded already$/ });
  });

  it('stay pending for a tenant in async mode, as live refunds the bank still has, and are processed later', async () => {
    const other = await registerTenant(sys.url, 'Async shop');
    const otherRzp = razorpaySdk(sys.url, await razorpayKeys(other));
    expect((await other.api.patch('/auth/settings', { auto_process: { enabled: true, delay_ms: 50 } })).status).toBe(200);
    const order = await otherRzp.orders.create({ amount: 20000, currency: 'INR' });
    const paid = await createPayment(other.api, { ...cardBody(), amount: undefined, currency: undefined, order_id: order.id });
    await eventually(() => otherRzp.payments.fetch(paid.id), (p: any) => p.status === 'captured');
    const refund = await otherRzp.payments.refund(paid.id, { amount: 5000 });
    expect(refund.status).toBe('pending');
    expect(await otherRzp.payments.fetch(paid.id)).toMatchObject({ amount_refunded: 0, refund_status: null });
    await eventually(() => otherRzp.refunds.fetch(refund.id), (r: any) => r.status === 'processed');
    expect(await otherRzp.payments.fetch(paid.id)).toMatchObject({ amount_refunded: 5000, refund_status: 'partial' });
  });

  it('with one X-Refund-Idempotency value, concurrent requests make one refund and all answer it', async () => {
    const order = await rzp.orders.create({ amount: 50000, currency: 'INR' });
    const paid = await payOrder(order.id);
    const send = (key: string) => raw(`/v1/payments/${paid.id}/refund`, { method: 'POST', body: { amount: 1000 }, headers: { 'x-refund-idempotency': key } });
    const answers = await Promise.all(Array.from({ length: 6 }, () => send('refund-key-1')));
    for (const a of answers) expect(a.status, a.text).toBe(200);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const another = await send('refund-key-2');
    expect(another.body.id).not.toBe(answers[0]!.body.id);
    const refunds = await rzp.payments.fetchMultipleRefund(paid.id, { count: 10 });
    expect(refunds.count).toBe(2);
    expect(await rzp.payments.fetch(paid.id)).toMatchObject({ amount_refunded: 2000 });
  });
});

describe('orders', () => {
  it("take Razorpay's documented fields: unique_receipt, customer_id, method, line_items_total, payment_capture as a string", async () => {
    const made = await rzp.orders.create({
      amount: 10000, currency: 'INR', receipt: 'uniq-1', unique_receipt: true, customer_id: 'cust_L0nSsccovt6zyp', method: 'upi', line_items_total: 10000, payment_capture: '0',
    } as never);
    expect(made).toMatchObject({ entity: 'order', status: 'created', receipt: 'uniq-1' });
    expect(made.id).toMatch(ID14('order'));
    expectRazorpayError(await sdkError(rzp.orders.create({ amount: 10000, currency: 'INR', receipt: 'uniq-1', unique_receipt: true } as never)), 400, { field: 'receipt' });
    // Without unique_receipt a receipt may repeat, as on Razorpay.
    expect((await rzp.orders.create({ amount: 10000, currency: 'INR', receipt: 'uniq-1' })).receipt).toBe('uniq-1');
    // payment_capture "0": the order's payments stay authorized.
    expect((await payOrder(made.id)).status).toBe('authorized');
    // Empty notes as Razorpay writes them ([]), echoed back by a client, are taken.
    const echoed = await rzp.orders.create({ amount: 10000, currency: 'INR', notes: [] } as never);
    expect(echoed.notes).toEqual([]);
    expectRazorpayError(await sdkError(rzp.orders.create({ amount: 10000, currency: 'INR', notes: ['x'] } as never)), 400, { field: 'notes' });
  });

  it('partial payments: the first at least first_payment_min_amount, attempted until paid in full, then paid', async () => {
    const order = await rzp.orders.create({ amount: 60000, currency: 'INR', partial_payment: true, first_payment_min_amount: 20000 } as never);
    const tooSmall = await t.api.post('/payments', { ...cardBody(), currency: undefined, amount: 10000, order_id: order.id }, { idem: `s-${order.id}` });
    expect(tooSmall.status).toBe(400);
    await payOrder(order.id, CARDS.visa, { amount: 25000 });
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'attempted', amount_paid: 25000, amount_due: 35000 });
    await payOrder(order.id, CARDS.mastercard, { amount: 5000 });
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'attempted', amount_paid: 30000, amount_due: 30000 });
    const last = await payOrder(order.id, CARDS.visa, { amount: undefined });
    expect(last.amount).toBe(30000);
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'paid', amount_paid: 60000, amount_due: 0 });
    await eventually(async () => receiver.received.filter((r) => r.body?.event === 'order.paid' && r.body.payload.order.entity.id === order.id), (h) => h.length === 1);
    expectRazorpayError(await sdkError(rzp.orders.create({ amount: 1000, currency: 'INR', first_payment_min_amount: 500 } as never)), 400, { field: 'first_payment_min_amount' });
  });

  it('partial payments never pay an order more than its amount: a late one that would is not captured', async () => {
    const order = await rzp.orders.create({ amount: 60000, currency: 'INR', partial_payment: true } as never);
    const first = await payOrder(order.id, CARDS.stayPending, { amount: 40000 });
    const second = await payOrder(order.id, CARDS.stayPending, { amount: 40000 });
    expect((await t.api.post(`/payments/${first.id}/simulate`, { outcome: 'success' })).status).toBe(200);
    expect((await t.api.post(`/payments/${second.id}/simulate`, { outcome: 'success' })).body).toMatchObject({ status: 'failed', failure_code: 'order_already_paid' });
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'attempted', amount_paid: 40000, amount_due: 20000 });
  });

  it('expand[]=payments on orders.all, expand[]=card and =emi on payments.all', async () => {
    const order = await rzp.orders.create({ amount: 15000, currency: 'INR', receipt: 'expand-1' });
    const paid = await payOrder(order.id);
    const orders = await rzp.orders.all({ receipt: 'expand-1', 'expand[]': 'payments' } as never);
    expect(orders.items[0]).toMatchObject({ id: order.id, payments: { entity: 'collection', count: 1, items: [{ id: paid.id, entity: 'payment', card: { last4: '4242' } }] } });
    expect(((await rzp.orders.all({ receipt: 'expand-1' } as never)) as any).items[0].payments).toBeUndefined();
    const payments = await rzp.payments.all({ count: 3, 'expand[]': 'card' } as never);
    expect(payments.items.find((p: any) => p.id === paid.id)?.card).toMatchObject({ entity: 'card', last4: '4242' });
    expect((await raw('/v1/payments?count=2&expand[]=emi&expand[]=card')).status).toBe(200);
    expect((await raw('/v1/payments?expand[]=nonsense')).status).toBe(400);
    expect((await raw('/v1/payments?expand[expand][0]=card&expand[expand][1]=emi')).status).toBe(200);
    expect((await raw('/v1/payments?expand[expand][0]=nonsense')).body.error).toMatchObject({ field: 'expand[expand][0]' });
    expect((await raw('/v1/payments?colour=red')).body.error).toMatchObject({ field: 'colour', description: 'colour is/are not required and should not be sent' });
    expect((await rzp.payments.all({ count: 3, 'expand[]': ['card', 'emi'] } as never)).entity).toBe('collection');
  });
});

describe('the payment entity', () => {
  it("has a card id, the test card's type, fee and tax on capture, and the acquirer's references by method", async () => {
    const order = await rzp.orders.create({ amount: 50000, currency: 'INR' });
    const debit = await rzp.payments.fetch((await payOrder(order.id, '4000056655665556')).id);
    expect(debit.id).toMatch(ID14('pay'));
    expect(debit.card_id).toMatch(ID14('card'));
    expect(debit.card).toMatchObject({ id: debit.card_id, type: 'debit', sub_type: 'consumer', token_iin: null, network: 'Visa' });
    // Razorpay's standard 2% plus 18% GST on it: ₹500.00 → fee 1180 (GST included), tax 180.
    expect(debit).toMatchObject({ status: 'captured', fee: 1180, tax: 180, acquirer_data: { auth_code: expect.stringMatching(/^\d{6}$/) } });
    const prepaid = await createPayment(t.api, cardBody('5105105105105100'));
    expect((await rzp.payments.fetch(prepaid.id)).card).toMatchObject({ type: 'prepaid', network: 'MasterCard' });
    expect((await rzp.payments.fetch((await createPayment(t.api, cardBody(CARDS.visa))).id)).card?.type).toBe('credit');

    const upi = await rzp.payments.fetch((await createPayment(t.api, { amount: 5000, currency: 'INR', method: 'upi', vpa: 'success@sandpay' })).id);
    expect(upi.acquirer_data).toEqual({ rrn: expect.stringMatching(/^\d{12}$/), upi_transaction_id: expect.stringMatching(/^\d{12}$/) });
    expect(upi).toMatchObject({ fee: 118, tax: 18 });
    const nb = await rzp.payments.fetch((await createPayment(t.api, { amount: 5000, currency: 'INR', method: 'netbanking', bank: 'HDFC' })).id);
    expect(nb.acquirer_data).toEqual({ bank_transaction_id: expect.stringMatching(/^\d{10}$/) });
    // The same on every read.
    expect((await rzp.payments.fetch(nb.id)).acquirer_data).toEqual(nb.acquirer_data);

    const auth = await rzp.orders.create({ amount: 5000, currency: 'INR', payment_capture: false } as never);
    expect(await rzp.payments.fetch((await payOrder(auth.id)).id)).toMatchObject({ status: 'authorized', fee: null, tax: null });
  });
});

describe('errors', () => {
  it("are Razorpay's: reason and step, field null when none, ids that are not ids, URLs it does not have (/v2 too)", async () => {
    const small = await sdkError(rzp.orders.create({ amount: 99, currency: 'INR' }));
    expect(small.error).toEqual({
      code: 'BAD_REQUEST_ERROR', description: 'The amount must be atleast INR 1.00', field: 'amount', source: 'business', step: 'payment_initiation', reason: 'input_validation_failed', metadata: {},
    });
    expect(Object.keys(small.error)).toEqual(['code', 'description', 'field', 'source', 'step', 'reason', 'metadata']);
    expect((await sdkError(rzp.payments.fetch('pay_123'))).error).toMatchObject({ description: 'pay_123 is not a valid id', field: null, reason: 'input_validation_failed' });
    expect((await sdkError(rzp.payments.fetch('pay_00000000000000'))).error).toMatchObject({ description: 'The id provided does not exist', field: null });

    // SDK methods Sandpay does not serve: Razorpay's own 400, under /v1 and /v2 alike.
    for (const call of [rzp.subscriptions.fetch('sub_00000000000000'), rzp.products.requestProductConfiguration('acc_00000000000000', { product_name: 'payment_gateway' } as never)]) {
      const e = await sdkError(call);
      expect(e.statusCode).toBe(400);
      expect(e.error).toEqual({ code: 'BAD_REQUEST_ERROR', description: 'The requested URL was not found on the server.', field: null, source: 'NA', step: 'NA', reason: 'NA', metadata: {} });
    }
  });
});

describe('webhook bytes', () => {
  it("are written as Razorpay's PHP writes them: the raw body verifies, JSON.stringify(req.body) does not (razorpay-node #96)", async () => {
    const order = await rzp.orders.create({ amount: 12300, currency: 'INR', notes: { link: 'https://shop.example/o/7', note: '₹123 for 2 items' } });
    const paid = await payOrder(order.id);
    const hook = await eventually(async () => receiver.received.find((r) => r.body?.event === 'order.paid' && r.body.payload.order.entity.id === order.id), (h) => h !== undefined);
    const signature = String(hook!.headers['x-razorpay-signature']);
    expect(hook?.rawBody).toContain('"link":"https:\\/\\/shop.example\\/o\\/7"');
    expect(hook!.rawBody).toContain('\\u20b9123');
    expect(Razorpay.validateWebhookSignature(hook!.rawBody, signature, SECRET)).toBe(true);
    expect(Razorpay.validateWebhookSignature(JSON.stringify(hook!.body), signature, SECRET)).toBe(false);
    expect(hook!.body.payload.order.entity.notes).toEqual({ link: 'https://shop.example/o/7', note: '₹123 for 2 items' });
    expect(Object.keys(hook!.body)).toEqual(['entity', 'account_id', 'event', 'contains', 'payload', 'created_at']);
    expect(hook!.body.payload.payment.entity.id).toBe(paid.id);
  });
});

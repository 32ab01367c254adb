import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../../src/payments/instruments.ts';
import { expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  // Keep delayed outcomes short for the test.
  expect((await t.api.patch('/auth/settings', { auto_process: { delay_ms: 200 } })).status).toBe(200);
});
afterAll(() => sys?.stop());

const EXPECTED: Record<string, { status: string; failure_code?: string }> = {
  succeed: { status: 'success' },
  decline: { status: 'failed', failure_code: 'card_declined' },
  insufficient_funds: { status: 'failed', failure_code: 'insufficient_funds' },
  expired_card: { status: 'failed', failure_code: 'expired_card' },
  incorrect_cvc: { status: 'failed', failure_code: 'incorrect_cvc' },
  processing_error: { status: 'failed', failure_code: 'processing_error' },
  lost_card: { status: 'failed', failure_code: 'lost_card' },
  stolen_card: { status: 'failed', failure_code: 'stolen_card' },
  delayed_success: { status: 'pending' },
  stay_pending: { status: 'pending' },
  fraud: { status: 'flagged' },
};

const eventTypes = async (paymentId: string) =>
  (await t.api.get(`/events?object_id=${paymentId}&limit=100`)).body.data.map((e: { type: string }) => e.type).reverse();

describe('magic test instruments', () => {
  it.each(TEST_CARDS.map((c) => [c.number, c.behaviour] as const))('card %s -> %s', async (number, behaviour) => {
    const p = await createPayment(t.api, cardBody(number));
    expect(p).toMatchObject(EXPECTED[behaviour]!);
    expect(p.card.last4).toBe(number.slice(-4));
    expect(JSON.stringify(p)).not.toContain(number);
    if (behaviour === 'fraud') {
      expect(p.fraud).toMatchObject({ action: 'flag', rule_id: null });
      expect(await eventTypes(p.id)).toEqual(['payment.created', 'fraud.detected', 'payment.flagged']);
    }
  });

  it.each([
    ['success@sandpay', 'success', null],
    ['failure@sandpay', 'failed', 'upi_declined'],
    ['pending@sandpay', 'pending', null],
    ['anyone@okaxis', 'success', null],
  ])('UPI %s -> %s', async (vpa, status, code) => {
    const p = await createPayment(t.api, { amount: 100, currency: 'INR', method: 'upi', vpa });
    expect(p.status).toBe(status);
    expect(p.failure_code).toBe(code);
    expect(p.vpa).toBe(vpa);
  });

  it.each([
    ['HDFC', 'success', null],
    ['FAIL', 'failed', 'bank_declined'],
    ['PEND', 'pending', null],
  ])('netbanking %s -> %s', async (bank, status, code) => {
    const p = await createPayment(t.api, { amount: 100, currency: 'INR', method: 'netbanking', bank });
    expect(p).toMatchObject({ status, failure_code: code, bank });
  });

  it('wallets succeed', async () => {
    expect(await createPayment(t.api, { amount: 100, currency: 'INR', method: 'wallet', wallet: 'paytm' })).toMatchObject({ status: 'success', wallet: 'paytm' });
  });

  it('the delayed card and VPA succeed after the tenant delay, via a job', async () => {
    for (const body of [cardBody(CARDS.delayed), { amount: 100, currency: 'INR', method: 'upi', vpa: 'delayed@sandpay' }]) {
      const p = await createPayment(t.api, body);
      expect(p.status).toBe('pending');
      const done = await eventually(() => t.api.get(`/payments/${p.id}`), (r) => r.body.status === 'success');
      expect(done.body.amount_captured).toBe(done.body.amount);
      expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.success']);
    }
  });

  it('a successful payment emits payment.created then payment.success, and audits both', async () => {
    const p = await createPayment(t.api);
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.success']);
    const audit = await t.api.get(`/payments/${p.id}/audit`);
    expect(audit.body.data.map((a: { action: string; old_status: string | null; new_status: string }) => [a.action, a.old_status, a.new_status])).toEqual([
      ['payment.created', null, 'pending'],
      ['payment.success', 'pending', 'success'],
    ]);
  });
});

describe('async mode (tenant settings)', () => {
  it('settles pending payments after delay_ms with the success rate', async () => {
    const asyncTenant = await registerTenant(sys.url);
    await asyncTenant.api.patch('/auth/settings', { auto_process: { enabled: true, delay_ms: 100, success_rate: 0 } });
    const p = await createPayment(asyncTenant.api);
    expect(p.status).toBe('pending');
    const failed = await eventually(() => asyncTenant.api.get(`/payments/${p.id}`), (r) => r.body.status !== 'pending');
    expect(failed.body).toMatchObject({ status: 'failed', failure_code: 'payment_declined' });

    await asyncTenant.api.patch('/auth/settings', { auto_process: { success_rate: 1 } });
    const ok = await createPayment(asyncTenant.api);
    expect((await eventually(() => asyncTenant.api.get(`/payments/${ok.id}`), (r) => r.body.status !== 'pending')).body.status).toBe('success');

    // Explicit decline instruments still decline; stay-pending still stays.
    const declined = await createPayment(asyncTenant.api, cardBody(CARDS.declined));
    expect((await eventually(() => asyncTenant.api.get(`/payments/${declined.id}`), (r) => r.body.status !== 'pending')).body.failure_code).toBe('card_declined');
  });
});

describe('manual capture, simulate and cancel', () => {
  it('manual capture authorizes, then captures in part', async () => {
    const p = await createPayment(t.api, cardBody(CARDS.visa, { capture: 'manual' }));
    expect(p).toMatchObject({ status: 'authorized', amount_captured: 0, capture_method: 'manual' });
    expect(p.expires_at).not.toBeNull();
    expectError(await t.api.post(`/payments/${p.id}/capture`, { amount: 5001 }), 400, { code: 'amount_too_large', param: 'amount' });
    const captured = await t.api.post(`/payments/${p.id}/capture`, { amount: 3000 });
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'success', amount_captured: 3000 });
    expectError(await t.api.post(`/payments/${p.id}/capture`, {}), 409, { type: 'state_error', code: 'invalid_state_transition' });
  });

  it('simulate drives a pending payment to each outcome, with a failure code', async () => {
    for (const [outcome, status] of [['success', 'success'], ['authorized', 'authorized'], ['expired', 'expired'], ['failed', 'failed']] as const) {
      const p = await createPayment(t.api, cardBody(CARDS.stayPending));
      const res = await t.api.post(`/payments/${p.id}/simulate`, { outcome, ...(outcome === 'failed' ? { failure_code: 'insufficient_funds' } : {}) });
      expect(res.status, res.text).toBe(200);
      expect(res.body.status).toBe(status);
      if (outcome === 'failed') expect(res.body).toMatchObject({ failure_code: 'insufficient_funds', failure_message: 'The card has insufficient funds.' });
    }
  });

  it('cancel fails pending and authorized payments with payment_cancelled', async () => {
    const pending = await createPayment(t.api, cardBody(CARDS.stayPending));
    expect((await t.api.post(`/payments/${pending.id}/cancel`)).body).toMatchObject({ status: 'failed', failure_code: 'payment_cancelled' });
    const authorized = await createPayment(t.api, cardBody(CARDS.visa, { capture: 'manual' }));
    expect((await t.api.post(`/payments/${authorized.id}/cancel`)).body.status).toBe('failed');
  });

  it('every illegal transition answers 409 state_error naming the current state', async () => {
    const success = await createPayment(t.api);
    const failed = await createPayment(t.api, cardBody(CARDS.declined));
    const flagged = await createPayment(t.api, cardBody(CARDS.fraud));
    const expired = await createPayment(t.api, cardBody(CARDS.stayPending));
    await t.api.post(`/payments/${expired.id}/simulate`, { outcome: 'expired' });
    const authorized = await createPayment(t.api, cardBody(CARDS.visa, { capture: 'manual' }));

    const attempts: Array<[string, string, string, object]> = [];
    for (const [p, status] of [[success, 'success'], [failed, 'failed'], [flagged, 'flagged'], [expired, 'expired']] as const) {
      for (const outcome of ['success', 'failed', 'authorized', 'expired']) attempts.push([p.id, status, 'simulate', { outcome }]);
      attempts.push([p.id, status, 'capture', {}], [p.id, status, 'cancel', {}]);
    }
    attempts.push([authorized.id, 'authorized', 'simulate', { outcome: 'authorized' }]);
    for (const p of [failed, flagged, expired, authorized]) attempts.push([p.id, '', 'refunds', {}]);

    for (const [id, status, action, body] of attempts) {
      const res = await t.api.post(`/payments/${id}/${action}`, body);
      expectError(res, 409, { type: 'state_error' });
      if (status) expect(res.body.error.message, `${action} ${JSON.stringify(body)}`).toContain(`is ${status}`);
    }
  });

  it('serialises concurrent transitions on one payment: exactly one wins', async () => {
    const p = await createPayment(t.api, cardBody(CARDS.stayPending));
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => t.api.post(`/payments/${p.id}/simulate`, { outcome: 'success' })),
      ...Array.from({ length: 5 }, () => t.api.post(`/payments/${p.id}/cancel`)),
    ]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    const transitions = await sys.sql(`SELECT 1 FROM audit_log WHERE object_id = $1 AND old_status = 'pending'`, [p.id]);
    expect(transitions).toHaveLength(1);
  });
});

describe('orders', () => {
  it('created -> attempted -> paid, with order.created and order.paid, and refuses payments on a paid order', async () => {
    const order = await t.api.post('/orders', { amount: 25000, currency: 'INR', receipt: 'rcpt-1', notes: { sku: 'A1' } }, { idem: idemKey() });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ id: expect.stringMatching(/^order_/), status: 'created', amount_due: 25000, attempts: 0 });

    const failed = await createPayment(t.api, { ...cardBody(CARDS.declined), amount: undefined, currency: undefined, order_id: order.body.id });
    expect(failed).toMatchObject({ status: 'failed', amount: 25000, order_id: order.body.id });
    expect((await t.api.get(`/orders/${order.body.id}`)).body).toMatchObject({ status: 'attempted', attempts: 1 });

    expectError(await t.api.post('/payments', { ...cardBody(), amount: 1, order_id: order.body.id }, { idem: idemKey() }), 400, { code: 'amount_mismatch', param: 'amount' });
    const paid = await createPayment(t.api, { ...cardBody(), amount: undefined, currency: undefined, order_id: order.body.id });
    expect(paid.status).toBe('success');
    expect((await t.api.get(`/orders/${order.body.id}`)).body).toMatchObject({ status: 'paid', amount_paid: 25000, amount_due: 0, attempts: 2 });
    expect(await eventTypes(order.body.id)).toEqual(['order.created', 'order.paid']);

    expectError(await t.api.post('/payments', { ...cardBody(), order_id: order.body.id, amount: undefined, currency: undefined }, { idem: idemKey() }), 409, { code: 'order_already_paid' });
    const list = await t.api.get(`/orders/${order.body.id}/payments`);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([paid.id, failed.id]);
  });

  it('answers 404 for an unknown order_id on a payment', async () => {
    expectError(await t.api.post('/payments', { ...cardBody(), order_id: 'order_00000000000000000000' }, { idem: idemKey() }), 404, { param: 'order_id' });
  });
});

describe('publishable key', () => {
  it('may create a payment but not read one', async () => {
    const res = await t.api.post('/payments', cardBody(), { key: t.pk, idem: idemKey() });
    expect(res.status).toBe(201);
    expectError(await t.api.get(`/payments/${res.body.id}`, { key: t.pk }), 403, { code: 'secret_key_required' });
    const audit = await t.api.get(`/payments/${res.body.id}/audit`);
    expect(audit.body.data[0].actor.type).toBe('publishable_key');
  });
});

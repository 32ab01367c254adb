import { describe, expect, it } from 'vitest';
import { errorStatuses } from '../../../src/contract/statuses.ts';
import { ROUTES } from '../../../src/contract/table.ts';
import { DomainError, notFound } from '../../../src/core/errors.ts';
import { EVENT_TYPES } from '../../../src/events/events.ts';
import type { PaymentObject } from '../../../src/payments/schemas.ts';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../../src/payments/state-machine.ts';
import { rzpPayment } from '../../../src/faces/razorpay/entities.ts';
import { razorpayErrorBody } from '../../../src/faces/razorpay/errors.ts';
import { RAZORPAY_EVENT_OF, RAZORPAY_EVENTS, razorpayEventBody, razorpayEventNames } from '../../../src/faces/razorpay/events.ts';
import { feeOf } from '../../../src/faces/razorpay/fees.ts';
import { phpJsonEncode } from '../../../src/faces/razorpay/json.ts';
import { isId, newId } from '../../../src/ids.ts';
import { OWN_EVENTS } from '../../../src/faces/razorpay/own-objects.ts';
import { rzpPaymentObject } from '../../../src/faces/razorpay/schemas.ts';
import { RAZORPAY_PAYMENT_STATUS } from '../../../src/faces/razorpay/status.ts';

const payment = (status: PaymentStatus, extra: Partial<PaymentObject> = {}): PaymentObject => ({
  id: 'pay_00000000000000000000', object: 'payment', amount: 5000, currency: 'INR', status, method: 'upi', vpa: 'a@b',
  capture_method: 'automatic', amount_captured: ['success', 'partially_refunded', 'refunded'].includes(status) ? 5000 : 0,
  amount_refunded: status === 'refunded' ? 5000 : status === 'partially_refunded' ? 1000 : 0, order_id: null,
  failure_code: status === 'failed' ? 'upi_declined' : null, failure_message: status === 'failed' ? 'The UPI payment was declined by the payer.' : null,
  fraud: null, description: null, customer_email: null, customer_contact: null, billing: { country: null }, metadata: {}, webhook_url: null, livemode: false,
  expires_at: null, authorized_at: null, captured_at: null, created_at: '2026-11-25T10:00:00.500Z', updated_at: '2026-11-25T10:00:00.500Z',
  ...extra,
});

describe('the native → Razorpay payment status table', () => {
  it('maps every native status, as documented', () => {
    expect(Object.keys(RAZORPAY_PAYMENT_STATUS).sort()).toEqual([...PAYMENT_STATUSES].sort());
    const read = Object.fromEntries(PAYMENT_STATUSES.map((s) => {
      const p = rzpPayment(payment(s));
      return [s, [p.status, p.captured, p.refund_status, p.error_reason]];
    }));
    expect(read).toEqual({
      pending: ['created', false, null, null],
      authorized: ['authorized', false, null, null],
      success: ['captured', true, null, null],
      partially_refunded: ['captured', true, 'partial', null],
      refunded: ['refunded', true, 'full', null],
      failed: ['failed', false, null, 'payment_declined'],
      flagged: ['failed', false, null, 'payment_risk_check_failed'],
      expired: ['failed', false, null, 'payment_timed_out'],
    });
  });

  it('gives entities in Razorpay shape: unix seconds, [] for empty notes, error fields only on failures', () => {
    for (const s of PAYMENT_STATUSES) expect(rzpPaymentObject.safeParse(rzpPayment(payment(s))).success, s).toBe(true);
    const failed = rzpPayment(payment('failed'));
    expect(failed).toMatchObject({ created_at: 1795600800, notes: [], error_code: 'BAD_REQUEST_ERROR', error_source: 'customer', error_description: 'The UPI payment was declined by the payer.' });
    expect(rzpPayment(payment('success', { metadata: { a: 1 } })).notes).toEqual({ a: 1 });
  });
});

describe('Razorpay webhook events', () => {
  it('every mapped native event has a Razorpay name from the list, and every Razorpay event has a source', () => {
    for (const [native, rzp] of Object.entries(RAZORPAY_EVENT_OF)) {
      expect(EVENT_TYPES).toContain(native);
      expect(RAZORPAY_EVENTS).toContain(rzp);
    }
    // The rest are the face's own objects' events (payment links, invoices, QR codes), raised by the face itself.
    const own = new Set<string>(OWN_EVENTS);
    expect(new Set(Object.values(RAZORPAY_EVENT_OF))).toEqual(new Set(RAZORPAY_EVENTS.filter((e) => !own.has(e))));
    expect(RAZORPAY_EVENTS.filter((e) => own.has(e))).toEqual([...OWN_EVENTS]);
    expect(RAZORPAY_EVENT_OF['payment.created']).toBeUndefined();
  });

  it('builds the body with contains and payload entities', () => {
    const p = payment('success');
    const body = razorpayEventBody({ type: 'payment.success', created_at: new Date('2026-11-25T10:00:01Z'), payload: p as never, tenant_id: 'ten_abc' }, null);
    expect(body).toMatchObject({ entity: 'event', account_id: 'acc_abc', event: 'payment.captured', contains: ['payment'], created_at: 1795600801 });
    expect(razorpayEventBody({ type: 'payment.created', created_at: new Date(), payload: p as never, tenant_id: 'ten_abc' }, null)).toBeNull();
  });
});

describe('the Razorpay error face', () => {
  it("maps statuses and words errors as Razorpay does", () => {
    const v1 = ROUTES.filter((r) => r.face?.name === 'razorpay');
    expect(v1.length).toBeGreaterThanOrEqual(15);
    for (const r of v1) {
      expect(r.path, r.path).toMatch(/^\/v[12]\//);
      expect(errorStatuses(r)).not.toContain(404);
      expect(errorStatuses(r)).toContain(401);
    }
    expect(razorpayErrorBody(notFound('order'))).toEqual({
      error: { code: 'BAD_REQUEST_ERROR', description: 'The id provided does not exist', field: null, source: 'business', step: 'payment_initiation', reason: 'input_validation_failed', metadata: {} },
    });
    expect(razorpayErrorBody(new DomainError('invalid', 'parameter_invalid', 'Invalid amount: The amount must be an integer.', { param: 'amount' })).error)
      .toMatchObject({ description: 'The amount must be an integer.', field: 'amount' });
    expect(razorpayErrorBody(new DomainError('internal', 'internal_error', 'x')).error.code).toBe('SERVER_ERROR');
    // Razorpay's key order, field null when no parameter is at fault, NA where Razorpay has no reason.
    const unrouted = razorpayErrorBody(new DomainError('not_found', 'route_not_found', 'No route for GET /v1/x')).error;
    expect(Object.keys(unrouted)).toEqual(['code', 'description', 'field', 'source', 'step', 'reason', 'metadata']);
    expect(unrouted).toMatchObject({ description: 'The requested URL was not found on the server.', field: null, source: 'NA', step: 'NA', reason: 'NA' });
    expect(razorpayErrorBody(new DomainError('not_found', 'resource_missing', 'No such payment', { param: 'id', malformedId: 'pay_x' })).error.description).toBe('pay_x is not a valid id');
  });
});

describe('Razorpay-shaped details', () => {
  it('writes JSON as PHP json_encode does: / and non-ASCII escaped, nothing else changed', () => {
    const value = { url: 'https://a.example/x', rupee: '₹500', smile: '😀', plain: 'a"b\\c', n: [1, 2.5, null, true] };
    const php = phpJsonEncode(value);
    expect(php).toBe('{"url":"https:\\/\\/a.example\\/x","rupee":"\\u20b9500","smile":"\\ud83d\\ude00","plain":"a\\"b\\\\c","n":[1,2.5,null,true]}');
    expect(JSON.parse(php)).toEqual(value);
    expect(JSON.stringify(JSON.parse(php))).not.toBe(php);
    expect(phpJsonEncode({ a: 'plain ascii' })).toBe(JSON.stringify({ a: 'plain ascii' }));
  });

  it("charges Razorpay's standard fee and 18% GST on it, on capture only", () => {
    expect(feeOf({ amount: 50000, card: undefined, billing: { country: null } })).toEqual({ fee: 1180, tax: 180 });
    expect(feeOf({ amount: 50000, card: { brand: 'amex', last4: '0005', exp_month: 1, exp_year: 2040, fingerprint: null, funding: 'credit' }, billing: { country: 'IN' } })).toEqual({ fee: 1770, tax: 270 });
    expect(feeOf({ amount: 10000, card: undefined, billing: { country: 'US' } })).toEqual({ fee: 354, tax: 54 });
    expect(rzpPayment(payment('authorized'))).toMatchObject({ fee: null, tax: null });
    expect(rzpPayment(payment('success'))).toMatchObject({ fee: 118, tax: 18, acquirer_data: { rrn: expect.stringMatching(/^\d{12}$/), upi_transaction_id: expect.stringMatching(/^\d{12}$/) } });
  });

  it('names a payment captured at once payment.authorized, then payment.captured; one authorized before, only payment.captured', () => {
    expect(razorpayEventNames('payment.success', { object: 'payment', authorized_at: null })).toEqual(['payment.authorized', 'payment.captured']);
    expect(razorpayEventNames('payment.success', { object: 'payment', authorized_at: '2026-11-25T10:00:00.000Z' })).toEqual(['payment.captured']);
    const p = payment('success', { amount_refunded: 0 });
    const authorized = razorpayEventBody({ type: 'payment.success', created_at: new Date(), payload: p as never, tenant_id: 'ten_abc' }, null, 'payment.authorized');
    expect(authorized).toMatchObject({ event: 'payment.authorized', payload: { payment: { entity: { status: 'authorized', captured: false, fee: null } } } });
  });

  it('makes Razorpay ids: 14 base62 characters after the prefix', () => {
    expect(newId('rzpCustomer')).toMatch(/^cust_[0-9A-Za-z]{14}$/);
    expect(newId('rzpPaymentLink')).toMatch(/^plink_[0-9A-Za-z]{14}$/);
    expect(newId('payment')).toMatch(/^pay_[0-9A-Za-z]{14}$/);
    expect(newId('order')).toMatch(/^order_[0-9A-Za-z]{14}$/);
    expect(newId('refund')).toMatch(/^rfnd_[0-9A-Za-z]{14}$/);
    // Ids made before they took Razorpay's length stay valid.
    expect(isId('payment', 'pay_' + 'a'.repeat(20))).toBe(true);
    expect(isId('payment', 'pay_' + 'a'.repeat(15))).toBe(false);
  });
});

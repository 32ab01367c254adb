import type Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../../support/payments.ts';
import { expectRazorpayError, razorpayKeys, razorpaySdk, sdkError } from '../../support/razorpay.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/** fetchPaymentMethods, fetchCardDetails, createUpi, validateVpa, fetchPaymentDowntime(ById), fetchTransferOrder through the SDK. */
let sys: TestSystem;
let t: TestTenant;
let rzp: Razorpay;
let other: Razorpay;
const sdk = () => rzp as any;
const UPI = { email: 'gaurav@example.com', contact: '9123456789', method: 'upi', ip: '203.0.113.7', referer: 'http://shop.example', user_agent: 'Mozilla/5.0' };

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url, 'A');
  rzp = razorpaySdk(sys.url, await razorpayKeys(t));
  other = razorpaySdk(sys.url, await razorpayKeys(await registerTenant(sys.url, 'B')));
});
afterAll(() => sys?.stop());

describe('payment methods and cards', () => {
  it('fetchPaymentMethods lists what Sandpay takes', async () => {
    const m: any = await rzp.payments.fetchPaymentMethods();
    expect(m).toMatchObject({ entity: 'methods', card: true, upi: true, emi: false, netbanking: { HDFC: 'HDFC Bank', FAIL: expect.any(String) }, wallet: { paytm: true } });
  });

  it("fetchCardDetails answers a card payment's card; a UPI payment has none", async () => {
    const card = await createPayment(t.api, cardBody(CARDS.mastercard));
    expect(await rzp.payments.fetchCardDetails(card.id)).toMatchObject({ entity: 'card', last4: '4444', network: 'MasterCard' });
    const upi = await createPayment(t.api, { amount: 5000, currency: 'INR', method: 'upi', vpa: 'success@sandpay' });
    expectRazorpayError(await sdkError(rzp.payments.fetchCardDetails(upi.id)), 400, { description: /not card/ });
    expectRazorpayError(await sdkError(other.payments.fetchCardDetails(card.id)), 400, { description: /does not exist/ });
  });

  it('fetchPaymentDowntime is an empty list; no downtime id exists', async () => {
    expect(await rzp.payments.fetchPaymentDowntime()).toEqual({ entity: 'collection', count: 0, items: [] });
    expectRazorpayError(await sdkError(rzp.payments.fetchPaymentDowntimeById('down_F7LGJQOGdkzgTJ')), 400, { description: /does not exist/ });
  });

  it('orders.fetchTransferOrder is an honest 400 (Route transfers are not simulated)', async () => {
    const order = await rzp.orders.create({ amount: 5000, currency: 'INR' });
    expectRazorpayError(await sdkError(rzp.orders.fetchTransferOrder(order.id)), 400, { description: /transfers are not simulated/ });
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ id: order.id });
  });
});

describe('what is not simulated', () => {
  it('answers a Razorpay-shaped 400 through the SDK', async () => {
    const order = await rzp.orders.create({ amount: 5000, currency: 'INR' });
    const calls: Array<() => Promise<unknown>> = [
      () => sdk().plans.all(), () => sdk().subscriptions.all(), () => sdk().payments.otpGenerate('pay_00000000000000000000'), () => sdk().transfers.all(),
      () => sdk().settlements.fetchAllOndemandSettlement(), () => sdk().customers.requestEligibilityCheck({ amount: 100 }), () => sdk().orders.viewRtoReview(order.id),
    ];
    for (const call of calls) expectRazorpayError(await sdkError(call()), 400);
  });
});

describe('IINs', () => {
  it("iins.fetch answers a test card's IIN; iins.all lists them by flow", async () => {
    expect(await rzp.iins.fetch('652100')).toMatchObject({ iin: '652100', entity: 'iin', network: 'RuPay', type: 'credit', emi: { available: false } });
    expect(await rzp.iins.fetch('424242')).toMatchObject({ network: 'Visa' });
    expectRazorpayError(await sdkError(rzp.iins.fetch('411111')), 400, { description: /does not exist/ });
    expect(await rzp.iins.all({ flow: 'rupay' })).toEqual({ count: 1, iins: ['652100'] });
    expect(await rzp.iins.all({ flow: 'otp' })).toEqual({ count: 0, iins: [] });
    expect((await rzp.iins.all({ sub_type: 'consumer' })).iins).toContain('555555');
    expectRazorpayError(await sdkError(rzp.iins.all({ flow: 'teleport' })), 400, { field: 'flow' });
  });
});

describe('UPI from the server', () => {
  it('validateVpa: success@razorpay is valid, failure@razorpay is not, a malformed one is a 400', async () => {
    expect(await rzp.payments.validateVpa({ vpa: 'success@razorpay' })).toEqual({ vpa: 'success@razorpay', success: true, customer_name: expect.any(String) });
    expect(await rzp.payments.validateVpa({ vpa: 'failure@razorpay' })).toEqual({ vpa: 'failure@razorpay', success: false });
    expectRazorpayError(await sdkError(rzp.payments.validateVpa({ vpa: 'no-at-sign' })), 400, { field: 'vpa', description: /Virtual Payment Address/ });
  });

  it('createUpi collect with success@razorpay captures; failure@razorpay fails; intent answers a upi link', async () => {
    const order = await rzp.orders.create({ amount: 25000, currency: 'INR' });
    const ok = await rzp.payments.createUpi({ ...UPI, amount: 25000, currency: 'INR', order_id: order.id, notes: { cart: '9' }, upi: { flow: 'collect', vpa: 'success@razorpay', expiry_time: 5 } } as any);
    expect(ok).toEqual({ razorpay_payment_id: expect.stringMatching(/^pay_/) });
    const paid = await eventually(() => rzp.payments.fetch(ok.razorpay_payment_id), (p: any) => p.status === 'captured');
    expect(paid).toMatchObject({ method: 'upi', vpa: 'success@razorpay', order_id: order.id, email: 'gaurav@example.com', amount: 25000 });
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'paid' });

    const order2 = await rzp.orders.create({ amount: 1000, currency: 'INR' });
    const bad = await rzp.payments.createUpi({ ...UPI, amount: 1000, currency: 'INR', order_id: order2.id, upi: { flow: 'collect', vpa: 'failure@razorpay' } } as any);
    expect(await rzp.payments.fetch(bad.razorpay_payment_id)).toMatchObject({ status: 'failed', error_code: 'BAD_REQUEST_ERROR' });

    const intent = await rzp.payments.createUpi({ ...UPI, amount: 1000, currency: 'INR', order_id: order2.id, upi: { flow: 'intent' } } as any);
    expect(intent.link).toMatch(/^upi:\/\/pay\?/);
    expect(await rzp.payments.fetch(intent.razorpay_payment_id)).toMatchObject({ status: 'captured', order_id: order2.id });
  });

  it('createUpi refuses a wrong amount, a missing vpa and a paid order', async () => {
    const order = await rzp.orders.create({ amount: 2000, currency: 'INR' });
    expectRazorpayError(await sdkError(sdk().payments.createUpi({ ...UPI, amount: 3000, currency: 'INR', order_id: order.id, upi: { flow: 'collect', vpa: 'success@razorpay' } })), 400, { field: 'amount' });
    expectRazorpayError(await sdkError(sdk().payments.createUpi({ ...UPI, amount: 2000, currency: 'INR', order_id: order.id, upi: { flow: 'collect' } })), 400);
    await rzp.payments.createUpi({ ...UPI, amount: 2000, currency: 'INR', order_id: order.id, upi: { flow: 'collect', vpa: 'success@razorpay' } } as any);
    expectRazorpayError(await sdkError(sdk().payments.createUpi({ ...UPI, amount: 2000, currency: 'INR', order_id: order.id, upi: { flow: 'collect', vpa: 'success@razorpay' } })), 400);
  });
});

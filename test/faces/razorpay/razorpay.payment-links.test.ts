import Razorpay from 'razorpay';
// The SDK's own check of a checkout or payment link callback (its utils, as the SDK's docs import them).
import { validatePaymentVerification } from 'razorpay/dist/utils/razorpay-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant } from '../../support/client.ts';
import { CARDS, eventually } from '../../support/payments.ts';
import { expectRazorpayError, type RazorpayKeys, razorpayWorld, type RazorpayWorld, sdkError } from '../../support/razorpay.ts';
import { openShortUrl, payShortUrl } from '../../support/razorpay-hosted.ts';
import type { TestSystem } from '../../support/system.ts';

/** Payment links through the official SDK: short_url pays on the hosted checkout, payment_link.* webhooks. */
let w: RazorpayWorld;
let sys: TestSystem, t: TestTenant, rzp: Razorpay, keys: RazorpayKeys, other: Razorpay;
const sdk = () => rzp as any;

beforeAll(async () => {
  w = await razorpayWorld(['*'], 'plink-webhook-secret', { JOB_POLL_SECONDS: '1' });
  ({ sys, t, rzp, keys, other } = w);
});
afterAll(() => w?.stop());

/** The verified Razorpay webhook bodies of one event about one link. */
const hooks = (event: string, id: string) => w.hooks(event, 'payment_link', id);

describe('payment links', () => {
  it('create, fetch, all, edit and notifyBy', async () => {
    const link = await rzp.paymentLink.create({
      amount: 50000, currency: 'INR', description: 'Order #42', reference_id: 'ref-42', customer: { name: 'Gaurav', email: 'gaurav@example.com', contact: '9123456780' },
      notify: { sms: true, email: true }, reminder_enable: true, notes: { cart: '42' }, callback_url: 'https://shop.example/thanks', callback_method: 'get',
    });
    expect(link).toMatchObject({
      id: expect.stringMatching(/^plink_/), entity: 'payment_link', status: 'created', amount: 50000, amount_paid: 0, currency: 'INR', accept_partial: false,
      reference_id: 'ref-42', description: 'Order #42', customer: { name: 'Gaurav', email: 'gaurav@example.com' }, notes: { cart: '42' }, payments: null,
      short_url: `${sys.url}/i/${link.id}`, order_id: expect.stringMatching(/^order_/),
    });
    expect(await rzp.paymentLink.fetch(link.id)).toEqual(link);
    // Its order is a ledger order: the Orders API sees it.
    expect(await rzp.orders.fetch((link as any).order_id)).toMatchObject({ amount: 50000, status: 'created' });

    const all = await rzp.paymentLink.all({ count: 5 } as any);
    expect((all as any).payment_links.map((l: any) => l.id)).toContain(link.id);
    expect((await sdk().paymentLink.all({ reference_id: 'ref-42' })).payment_links.map((l: any) => l.id)).toEqual([link.id]);

    const edited = await rzp.paymentLink.edit(link.id, { reference_id: 'ref-43', notes: { cart: '43' }, reminder_enable: false });
    expect(edited).toMatchObject({ id: link.id, reference_id: 'ref-43', notes: { cart: '43' }, reminder_enable: false });
    expect(await rzp.paymentLink.notifyBy(link.id, 'sms')).toEqual({ success: true });
    expectRazorpayError(await sdkError(rzp.paymentLink.notifyBy(link.id, 'pigeon' as any)), 400);

    // A reference_id is the merchant's own id: one link each.
    expectRazorpayError(await sdkError(rzp.paymentLink.create({ amount: 100, reference_id: 'ref-43' } as any)), 400, { field: 'reference_id' });
    expectRazorpayError(await sdkError(other.paymentLink.fetch(link.id)), 400, { description: /does not exist/ });
  });

  it('short_url opens the hosted checkout; paying it pays the link and sends payment_link.paid', async () => {
    const link: any = await rzp.paymentLink.create({ amount: 25000, currency: 'INR', description: 'Hosted', customer: { email: 'payer@example.com' } } as any);
    // Opening it twice goes to the same open checkout.
    expect((await openShortUrl(link.short_url)).sessionId).toBe((await openShortUrl(link.short_url)).sessionId);
    const state = await payShortUrl(link.short_url);
    expect(state.status).toBe('complete');
    const paid: any = await rzp.paymentLink.fetch(link.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 25000, payments: [{ amount: 25000, method: 'card', plink_id: link.id, status: 'captured', payment_id: expect.stringMatching(/^pay_/) }] });
    expect(await rzp.payments.fetch(paid.payments[0].payment_id)).toMatchObject({ status: 'captured', order_id: link.order_id });
    expect((await sdk().paymentLink.all({ payment_id: paid.payments[0].payment_id })).payment_links.map((l: any) => l.id)).toEqual([link.id]);

    const [hook] = await eventually(async () => hooks('payment_link.paid', link.id), (h) => h.length === 1);
    expect(hook).toMatchObject({
      entity: 'event', event: 'payment_link.paid', contains: ['payment_link', 'order', 'payment'],
      payload: { payment_link: { entity: { id: link.id, status: 'paid' } }, order: { entity: { id: link.order_id, status: 'paid' } }, payment: { entity: { status: 'captured', amount: 25000 } } },
    });
    // A paid link takes no more payments, and cannot be cancelled or edited.
    const again = await fetch(link.short_url, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('has been paid');
    expectRazorpayError(await sdkError(rzp.paymentLink.cancel(link.id)), 400, { description: /paid/ });
    expectRazorpayError(await sdkError(rzp.paymentLink.edit(link.id, { notes: { x: '1' } })), 400);
  });

  it("the payer comes back to callback_url with Razorpay's parameters, signed as validatePaymentVerification checks", async () => {
    const link: any = await rzp.paymentLink.create({ amount: 12000, currency: 'INR', reference_id: 'cb-1', callback_url: 'https://shop.example/paid?cart=9', callback_method: 'get' } as any);
    const { sessionId } = await openShortUrl(link.short_url);
    const session = await t.api.get(`/checkout/sessions/${sessionId}`);
    expect(session.body.success_url).toBe(`${sys.url}/i/${link.id}/return`);
    await payShortUrl(link.short_url);
    const paymentId = ((await rzp.paymentLink.fetch(link.id)) as any).payments[0].payment_id;
    const back = await fetch(`${sys.url}/i/${link.id}/return?payment_id=${paymentId}&order_id=${link.order_id}`, { redirect: 'manual' });
    expect(back.status).toBe(303);
    const u = new URL(back.headers.get('location')!);
    expect(`${u.origin}${u.pathname}`).toBe('https://shop.example/paid');
    const q = Object.fromEntries(u.searchParams) as Record<string, string>;
    expect(q).toMatchObject({ cart: '9', razorpay_payment_id: paymentId, razorpay_payment_link_id: link.id, razorpay_payment_link_reference_id: 'cb-1', razorpay_payment_link_status: 'paid' });
    const params = { payment_link_id: q.razorpay_payment_link_id!, payment_link_reference_id: q.razorpay_payment_link_reference_id!, payment_link_status: q.razorpay_payment_link_status!, payment_id: q.razorpay_payment_id! };
    expect(validatePaymentVerification(params, q.razorpay_signature!, keys.key_secret)).toBe(true);
    expect(validatePaymentVerification({ ...params, payment_link_status: 'created' }, q.razorpay_signature!, keys.key_secret)).toBe(false);
    // Another payment's id (or none) confirms nothing.
    expect((await fetch(`${sys.url}/i/${link.id}/return?payment_id=pay_00000000000000000000`, { redirect: 'manual' })).status).toBe(409);
  });

  it('a declined card leaves the link payable', async () => {
    const link: any = await rzp.paymentLink.create({ amount: 10000, currency: 'INR' } as any);
    const state = await payShortUrl(link.short_url, { method: 'card', card: { number: CARDS.declined, exp_month: 12, exp_year: 2030, cvc: '123' } });
    expect(state.status).toBe('open');
    expect(await rzp.paymentLink.fetch(link.id)).toMatchObject({ status: 'created', amount_paid: 0 });
    await payShortUrl(link.short_url, { method: 'upi', vpa: 'success@razorpay' });
    expect(await rzp.paymentLink.fetch(link.id)).toMatchObject({ status: 'paid', amount_paid: 10000 });
  });

  it('cancel sends payment_link.cancelled and closes the short_url', async () => {
    const link: any = await rzp.paymentLink.create({ amount: 10000, currency: 'INR' } as any);
    const { sessionId, location } = await openShortUrl(link.short_url); // a payer has the checkout open
    const cancelled: any = await rzp.paymentLink.cancel(link.id);
    // That checkout can no longer pay it.
    expect((await t.api.get(`/checkout/sessions/${sessionId}`)).body.status).toBe('expired');
    const late = await fetch(`${new URL(location).origin}/checkout/${sessionId}/pay`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `late-${sessionId}` },
      body: JSON.stringify({ method: 'card', card: { number: CARDS.visa, exp_month: 12, exp_year: 2030, cvc: '123' } }),
    });
    expect(late.status).toBeGreaterThanOrEqual(400);
    expect(await rzp.orders.fetch(link.order_id)).toMatchObject({ status: 'created', amount_paid: 0 });
    expect(cancelled).toMatchObject({ id: link.id, status: 'cancelled', cancelled_at: expect.any(Number) });
    expect(cancelled.cancelled_at).toBeGreaterThan(0);
    await eventually(async () => hooks('payment_link.cancelled', link.id), (h) => h.length === 1);
    expect((await fetch(link.short_url, { redirect: 'manual', headers: { accept: 'text/html' } })).status).toBe(410);
    expectRazorpayError(await sdkError(rzp.paymentLink.cancel(link.id)), 400);
  });

  it('expires at expire_by with payment_link.expired', async () => {
    const link: any = await rzp.paymentLink.create({ amount: 10000, currency: 'INR', expire_by: Math.floor(Date.now() / 1000) + 2 } as any);
    const [hook] = await eventually(async () => hooks('payment_link.expired', link.id), (h) => h.length === 1, 20_000);
    expect(hook.payload.payment_link.entity).toMatchObject({ status: 'expired', expired_at: expect.any(Number) });
    expect(await rzp.paymentLink.fetch(link.id)).toMatchObject({ status: 'expired' });
  });

  it('refuses a first_min_partial_amount without accept_partial, a past expire_by and a bad amount in Razorpay shape', async () => {
    expectRazorpayError(await sdkError(rzp.paymentLink.create({ amount: 10000, first_min_partial_amount: 5000 } as any)), 400, { field: 'first_min_partial_amount' });
    expectRazorpayError(await sdkError(rzp.paymentLink.create({ amount: 10000, accept_partial: true, first_min_partial_amount: 20000 } as any)), 400, { field: 'first_min_partial_amount' });
    expectRazorpayError(await sdkError(rzp.paymentLink.create({ amount: 10000, expire_by: 1000 } as any)), 400, { field: 'expire_by' });
    expectRazorpayError(await sdkError(rzp.paymentLink.create({ amount: 'lots' } as any)), 400, { field: 'amount' });
    expectRazorpayError(await sdkError(rzp.paymentLink.fetch('plink_x')), 400);
  });
});

import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type TestTenant } from '../../support/client.ts';
import { eventually } from '../../support/payments.ts';
import { basicAuth, expectRazorpayError, razorpayWorld, type RazorpayWorld, sdkError } from '../../support/razorpay.ts';
import { openShortUrl, payShortUrl } from '../../support/razorpay-hosted.ts';
import type { TestSystem } from '../../support/system.ts';

/** Items and invoices through the official SDK: an issued invoice's short_url pays on the hosted checkout, invoice.* webhooks. */
let w: RazorpayWorld;
let sys: TestSystem, t: TestTenant, rzp: Razorpay, other: Razorpay;

beforeAll(async () => {
  w = await razorpayWorld(['invoice.paid', 'invoice.expired'], 'invoice-webhook-secret', { JOB_POLL_SECONDS: '1' });
  ({ sys, t, rzp, other } = w);
});
afterAll(() => w?.stop());

const hooks = (event: string, id: string) => w.hooks(event, 'invoice', id);

describe('items', () => {
  it('create, fetch, all, edit and delete', async () => {
    const item = await rzp.items.create({ name: 'Book / English August', description: 'An Indian story', amount: 20000, currency: 'INR' });
    expect(item).toMatchObject({ id: expect.stringMatching(/^item_/), active: true, name: 'Book / English August', amount: 20000, unit_amount: 20000, currency: 'INR', type: 'invoice' });
    expect(await rzp.items.fetch(item.id)).toEqual(item);
    const edited = await rzp.items.edit(item.id, { name: 'Book / Ignited Minds', amount: 30000, active: false } as any);
    expect(edited).toMatchObject({ id: item.id, name: 'Book / Ignited Minds', amount: 30000, active: false });
    const all = await rzp.items.all({ count: 10 });
    expect(all).toMatchObject({ entity: 'collection' });
    expect(all.items.map((i: any) => i.id)).toContain(item.id);
    // The SDK's items.all drops `active` (it sends authorized and receipt instead): Razorpay's own filter, by hand.
    const active = await new Client(sys.url).get('/v1/items?active=1', { key: null, headers: { authorization: basicAuth(w.keys) } });
    expect(active.status, active.text).toBe(200);
    expect(active.body.items.map((i: any) => i.id)).not.toContain(item.id);
    expectRazorpayError(await sdkError(other.items.fetch(item.id)), 400, { description: /does not exist/ });
    expect(await rzp.items.delete(item.id)).toEqual([]);
    expectRazorpayError(await sdkError(rzp.items.fetch(item.id)), 400);
    expectRazorpayError(await sdkError(rzp.items.create({ name: 'Bad price', amount: 'lots', currency: 'INR' } as any)), 400, { field: 'amount' });
  });
});

describe('invoices', () => {
  it('a draft from an item and a customer is edited, issued, notified, paid through short_url, and sends invoice.paid', async () => {
    const customer = await rzp.customers.create({ name: 'Gaurav Kumar', email: 'gaurav@example.com', contact: '9123456780' });
    const item = await rzp.items.create({ name: 'Ticket', amount: 15000, currency: 'INR' });
    const draft: any = await rzp.invoices.create({ type: 'invoice', draft: '1', customer_id: customer.id, line_items: [{ item_id: item.id, quantity: 2 }], receipt: 'inv-7' } as any);
    expect(draft).toMatchObject({
      id: expect.stringMatching(/^inv_/), entity: 'invoice', status: 'draft', amount: 30000, amount_due: 30000, amount_paid: 0, short_url: null, order_id: null,
      customer_id: customer.id, customer_details: { name: 'Gaurav Kumar', email: 'gaurav@example.com' }, receipt: 'inv-7',
      line_items: [{ item_id: item.id, name: 'Ticket', amount: 15000, quantity: 2, gross_amount: 30000 }],
    });
    expect(await rzp.invoices.fetch(draft.id)).toEqual(draft);
    const edited: any = await rzp.invoices.edit(draft.id, { line_items: [{ name: 'Seat', amount: 12000 }], terms: 'Net 7' } as any);
    expect(edited).toMatchObject({ amount: 12000, terms: 'Net 7', line_items: [{ item_id: null, name: 'Seat', amount: 12000, quantity: 1 }] });
    expectRazorpayError(await sdkError(rzp.invoices.notifyBy(draft.id, 'sms')), 400);

    const issued: any = await rzp.invoices.issue(draft.id);
    expect(issued).toMatchObject({ status: 'issued', short_url: `${sys.url}/i/${draft.id}`, order_id: expect.stringMatching(/^order_/), issued_at: expect.any(Number) });
    expectRazorpayError(await sdkError(rzp.invoices.issue(draft.id)), 400);
    expectRazorpayError(await sdkError(rzp.invoices.edit(draft.id, { line_items: [{ name: 'More', amount: 100 }] } as any)), 400);
    expect(await rzp.invoices.notifyBy(draft.id, 'email')).toEqual({ success: true });
    expect((await rzp.invoices.all({ count: 5 })).items.map((i: any) => i.id)).toContain(draft.id);

    await payShortUrl(issued.short_url);
    const paid: any = await rzp.invoices.fetch(draft.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 12000, amount_due: 0, payment_id: expect.stringMatching(/^pay_/), paid_at: expect.any(Number) });
    expect((await (rzp as any).invoices.all({ payment_id: paid.payment_id })).items.map((i: any) => i.id)).toEqual([draft.id]);
    const [hook] = await eventually(async () => hooks('invoice.paid', draft.id), (h) => h.length === 1);
    expect(hook).toMatchObject({ contains: ['payment', 'order', 'invoice'], payload: { payment: { entity: { id: paid.payment_id, status: 'captured' } }, order: { entity: { status: 'paid' } }, invoice: { entity: { status: 'paid' } } } });
    expectRazorpayError(await sdkError(rzp.invoices.cancel(draft.id)), 400);
    expectRazorpayError(await sdkError(other.invoices.fetch(draft.id)), 400, { description: /does not exist/ });
  });

  it('cancel an issued invoice, delete a draft only', async () => {
    const inv: any = await rzp.invoices.create({ type: 'invoice', customer: { name: 'Asha', email: 'asha@example.com' }, line_items: [{ name: 'Thing', amount: 5000 }] } as any);
    expect(inv.status).toBe('issued');
    expectRazorpayError(await sdkError(rzp.invoices.delete(inv.id)), 400);
    const { sessionId } = await openShortUrl(inv.short_url);
    expect(await rzp.invoices.cancel(inv.id)).toMatchObject({ status: 'cancelled', cancelled_at: expect.any(Number) });
    expect((await t.api.get(`/checkout/sessions/${sessionId}`)).body.status).toBe('expired');
    expect((await fetch(inv.short_url, { redirect: 'manual', headers: { accept: 'text/html' } })).status).toBe(410);
    const draft: any = await rzp.invoices.create({ type: 'invoice', draft: '1', customer: { name: 'Asha' }, line_items: [{ name: 'Thing', amount: 5000 }] } as any);
    expect(await rzp.invoices.delete(draft.id)).toEqual([]);
    expectRazorpayError(await sdkError(rzp.invoices.fetch(draft.id)), 400);
  });

  it('expires at expire_by with invoice.expired', async () => {
    const inv: any = await rzp.invoices.create({ type: 'invoice', customer: { email: 'late@example.com' }, line_items: [{ name: 'Late', amount: 5000 }], expire_by: Math.floor(Date.now() / 1000) + 2 } as any);
    const [hook] = await eventually(async () => hooks('invoice.expired', inv.id), (h) => h.length === 1, 20_000);
    expect(hook.payload.invoice.entity).toMatchObject({ status: 'expired', expired_at: expect.any(Number) });
  });

  it('bad input is a Razorpay 400', async () => {
    expectRazorpayError(await sdkError(rzp.invoices.create({ type: 'invoice', customer: { name: 'X' } } as any)), 400, { field: 'line_items' });
    expectRazorpayError(await sdkError(rzp.invoices.create({ type: 'invoice', line_items: [{ item_id: 'item_00000000000000000000' }], customer: { name: 'X' } } as any)), 400);
    expectRazorpayError(await sdkError(rzp.invoices.create({ type: 'invoice', customer: { name: 'X' }, line_items: [{ name: 'A', amount: 100 }], partial_payment: 'yes' } as any)), 400, { field: 'partial_payment' });
  });
});

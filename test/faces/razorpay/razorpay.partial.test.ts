import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idemKey } from '../../support/client.ts';
import { CARDS, eventually } from '../../support/payments.ts';
import { expectRazorpayError, razorpayWorld, type RazorpayWorld, sdkError } from '../../support/razorpay.ts';
import { openShortUrl, payShortUrl } from '../../support/razorpay-hosted.ts';

/**
 * Partial payments on payment links (accept_partial, first_min_partial_amount) and invoices
 * (partial_payment) through the official SDK: the payer chooses each amount on the hosted
 * checkout; *.partially_paid for each part, *.paid for the one that completes it.
 */
let w: RazorpayWorld;
let rzp: Razorpay;
const card = { method: 'card', card: { number: CARDS.visa, exp_month: 12, exp_year: 2030, cvc: '123' } };

beforeAll(async () => {
  w = await razorpayWorld(['*'], 'partial-webhook-secret');
  ({ rzp } = w);
});
afterAll(() => w?.stop());

/** The verified Razorpay webhook bodies of one event whose `entity` payload has this id. */
const hooks = (event: string, entity: string, id: string) => w.hooks(event, entity, id);

/** The hosted page's pay call for a short_url's checkout, as it answered (status and body). */
async function pay(shortUrl: string, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const { sessionId, location } = await openShortUrl(shortUrl);
  const res = await fetch(`${new URL(location).origin}/checkout/${sessionId}/pay`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': idemKey() }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('a payment link with accept_partial', () => {
  it('paid in two parts: partially_paid then paid, with the amounts and the order following', async () => {
    const link: any = await rzp.paymentLink.create({ amount: 60000, currency: 'INR', accept_partial: true, first_min_partial_amount: 20000, description: 'In two parts' } as any);
    expect(link).toMatchObject({ status: 'created', accept_partial: true, first_min_partial_amount: 20000, amount_paid: 0 });

    // The first part must be at least first_min_partial_amount, and no part more than is due.
    const small = await pay(link.short_url, { ...card, amount: 19999 });
    expect(small.status, JSON.stringify(small.body)).toBe(400);
    expect(small.body.error).toMatchObject({ code: 'amount_too_small', param: 'amount' });
    const large = await pay(link.short_url, { ...card, amount: 60001 });
    expect(large.status).toBe(400);
    expect(large.body.error).toMatchObject({ code: 'amount_too_large', param: 'amount' });
    expect(await rzp.paymentLink.fetch(link.id)).toMatchObject({ status: 'created', amount_paid: 0 });

    expect((await payShortUrl(link.short_url, { ...card, amount: 25000 })).status).toBe('complete');
    const [part] = await eventually(async () => hooks('payment_link.partially_paid', 'payment_link', link.id), (h) => h.length === 1);
    expect(part).toMatchObject({
      event: 'payment_link.partially_paid', contains: ['payment_link', 'order', 'payment'],
      payload: {
        payment_link: { entity: { id: link.id, status: 'partially_paid', amount: 60000, amount_paid: 25000, accept_partial: true } },
        order: { entity: { id: link.order_id, status: 'attempted', amount_paid: 25000, amount_due: 35000 } },
        payment: { entity: { status: 'captured', amount: 25000, order_id: link.order_id } },
      },
    });
    const half: any = await rzp.paymentLink.fetch(link.id);
    expect(half).toMatchObject({ status: 'partially_paid', amount_paid: 25000, payments: [{ amount: 25000, status: 'captured' }] });
    expect(await rzp.orders.fetch(link.order_id)).toMatchObject({ status: 'attempted', amount_paid: 25000, amount_due: 35000 });

    // The second visit: a new checkout; a later part needs no minimum, and omitted it is what is due.
    const over = await pay(link.short_url, { ...card, amount: 35001 });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 'amount_too_large', param: 'amount' });
    expect((await payShortUrl(link.short_url, card)).status).toBe('complete');
    const [full] = await eventually(async () => hooks('payment_link.paid', 'payment_link', link.id), (h) => h.length === 1);
    expect(full.payload).toMatchObject({
      payment_link: { entity: { status: 'paid', amount_paid: 60000 } },
      order: { entity: { status: 'paid', amount_paid: 60000, amount_due: 0 } },
      payment: { entity: { amount: 35000, status: 'captured' } },
    });
    expect(hooks('payment_link.partially_paid', 'payment_link', link.id)).toHaveLength(1);
    const paid: any = await rzp.paymentLink.fetch(link.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 60000 });
    expect(paid.payments.map((p: any) => p.amount)).toEqual([25000, 35000]);
    expect(await rzp.orders.fetch(link.order_id)).toMatchObject({ status: 'paid', amount_paid: 60000, amount_due: 0 });
    expect((await fetch(link.short_url, { redirect: 'manual', headers: { accept: 'text/html' } })).status).toBe(410);
  });

  it('accept_partial is fixed once made; a link without it takes no amount from the payer', async () => {
    const whole: any = await rzp.paymentLink.create({ amount: 30000, currency: 'INR' } as any);
    expectRazorpayError(await sdkError(rzp.paymentLink.edit(whole.id, { accept_partial: true })), 400, { field: 'accept_partial' });
    const chosen = await pay(whole.short_url, { ...card, amount: 10000 });
    expect(chosen.status).toBe(400);
    expect(chosen.body.error).toMatchObject({ code: 'amount_not_allowed', param: 'amount' });
    expect(await rzp.paymentLink.fetch(whole.id)).toMatchObject({ status: 'created', amount_paid: 0 });
    expect(await rzp.orders.fetch(whole.order_id)).toMatchObject({ status: 'created', amount_paid: 0 });
  });
});

describe('an invoice with partial_payment', () => {
  it('paid in two parts: invoice.partially_paid then invoice.paid, amount_paid and amount_due following', async () => {
    const inv: any = await rzp.invoices.create({
      type: 'invoice', partial_payment: true, customer: { name: 'Asha', email: 'asha@example.com' }, line_items: [{ name: 'Course', amount: 15000, quantity: 2 }],
    } as any);
    expect(inv).toMatchObject({ status: 'issued', partial_payment: true, amount: 30000, amount_paid: 0, amount_due: 30000 });

    expect((await payShortUrl(inv.short_url, { ...card, amount: 10000 })).status).toBe('complete');
    const [part] = await eventually(async () => hooks('invoice.partially_paid', 'invoice', inv.id), (h) => h.length === 1);
    expect(part.payload).toMatchObject({
      invoice: { entity: { status: 'partially_paid', amount_paid: 10000, amount_due: 20000, paid_at: null } },
      order: { entity: { id: inv.order_id, status: 'attempted', amount_paid: 10000 } },
      payment: { entity: { amount: 10000, status: 'captured' } },
    });
    expect(await rzp.invoices.fetch(inv.id)).toMatchObject({ status: 'partially_paid', amount_paid: 10000, amount_due: 20000 });

    expect((await payShortUrl(inv.short_url, { ...card, amount: 20000 })).status).toBe('complete');
    const [full] = await eventually(async () => hooks('invoice.paid', 'invoice', inv.id), (h) => h.length === 1);
    expect(full.payload).toMatchObject({
      invoice: { entity: { status: 'paid', amount_paid: 30000, amount_due: 0, paid_at: expect.any(Number) } },
      order: { entity: { status: 'paid', amount_paid: 30000 } },
      payment: { entity: { amount: 20000 } },
    });
    expect(await rzp.invoices.fetch(inv.id)).toMatchObject({ status: 'paid', amount_paid: 30000, amount_due: 0, payment_id: full.payload.payment.entity.id });
    expect(await rzp.orders.fetch(inv.order_id)).toMatchObject({ status: 'paid', amount_paid: 30000 });
  });

  it('an invoice without partial_payment refuses a chosen amount; partial_payment is a draft-only change', async () => {
    const inv: any = await rzp.invoices.create({ type: 'invoice', customer: { email: 'b@example.com' }, line_items: [{ name: 'Whole', amount: 5000 }] } as any);
    expect(inv.partial_payment).toBe(false);
    const chosen = await pay(inv.short_url, { ...card, amount: 1000 });
    expect(chosen.status).toBe(400);
    expect(chosen.body.error).toMatchObject({ code: 'amount_not_allowed' });
    expectRazorpayError(await sdkError(rzp.invoices.edit(inv.id, { partial_payment: true } as any)), 400, { field: 'partial_payment' });

    const draft: any = await rzp.invoices.create({ type: 'invoice', draft: '1', customer: { email: 'c@example.com' }, line_items: [{ name: 'Later', amount: 5000 }] } as any);
    expect(await rzp.invoices.edit(draft.id, { partial_payment: true } as any)).toMatchObject({ partial_payment: true });
    const issued: any = await rzp.invoices.issue(draft.id);
    expect(issued).toMatchObject({ status: 'issued', partial_payment: true });
    expect((await payShortUrl(issued.short_url, { ...card, amount: 1000 })).status).toBe('complete');
    expect(await rzp.invoices.fetch(draft.id)).toMatchObject({ status: 'partially_paid', amount_paid: 1000, amount_due: 4000 });
  });
});

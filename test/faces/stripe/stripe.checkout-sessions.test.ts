import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../../src/jobs/boss.ts';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { CARDS, eventually } from '../../support/payments.ts';
import { Receiver } from '../../support/receiver.ts';
import { stripeError, stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * Checkout Sessions (mode payment) through stripe-node: create, retrieve, list, line items,
 * expire, Stripe's validation errors, tenant isolation, and the session's life through its hosted
 * page (paid with the page's own calls here; in a browser in stripe.checkout.browser.test.ts) with
 * its events, signed as Stripe's.
 */
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;
let rx: Receiver;
let whsec: string;

const SUCCESS = 'https://shop.example/success?session_id={CHECKOUT_SESSION_ID}';
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url, 'Checkout Shop');
  stripe = stripeSdk(sys.url, t.sk);
  rx = await new Receiver().start();
  const endpoint = await stripe.webhookEndpoints.create({ url: `${rx.url}/hooks`, enabled_events: ['checkout.session.completed', 'checkout.session.expired'] });
  whsec = endpoint.secret!;
});
afterAll(async () => {
  await rx?.stop();
  await sys?.stop();
});

/** A session of one catalog price (2 × $15.00) and one inline price ($5.00). */
async function newSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'Sandpay mug' } });
  return stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price: price.id, quantity: 2 }, { price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Gift wrap' } }, quantity: 1 }],
    success_url: SUCCESS,
    cancel_url: 'https://shop.example/cart',
    ...extra,
  });
}

/** The hosted page's own calls, as its script makes them (the session id is their credential). */
async function payOnPage(s: Stripe.Checkout.Session, card: string) {
  const native = `cs_${s.id.slice('cs_test_'.length)}`;
  const res = await fetch(`${sys.url}/checkout/${native}/pay`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `k-${Math.random()}` },
    body: JSON.stringify({ method: 'card', card: { number: card, exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' } }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** The verified Stripe events of a type about one object that reached the endpoint. */
const delivered = (type: string, objectId: string) =>
  rx.received
    .map((r) => stripe.webhooks.constructEvent(r.rawBody, String(r.headers['stripe-signature']), whsec) as Stripe.Event)
    .filter((e) => e.type === type && (e.data.object as { id: string }).id === objectId);

describe('Checkout Sessions through stripe-node', () => {
  it('create answers an open session in Stripe\'s shape, with its hosted page url; retrieve, listLineItems and expand[]=line_items agree', async () => {
    const s = await newSession({ client_reference_id: 'cart-42', customer_email: 'ada@example.com', metadata: { cart: '42' }, payment_intent_data: { metadata: { order: '42' } } });
    expect(s.id).toMatch(/^cs_test_[0-9A-Za-z]{20}$/);
    expect(s).toMatchObject({
      object: 'checkout.session', mode: 'payment', status: 'open', payment_status: 'unpaid', amount_subtotal: 3500, amount_total: 3500, currency: 'usd',
      payment_intent: null, customer: null, customer_email: 'ada@example.com', client_reference_id: 'cart-42', metadata: { cart: '42' },
      success_url: SUCCESS, cancel_url: 'https://shop.example/cart', livemode: false, ui_mode: 'hosted_page', payment_method_types: ['card'],
      url: `${sys.url}/stripe/checkout/${s.id}`,
    });
    expect(s.expires_at - s.created).toBeGreaterThanOrEqual(24 * 3600 - 2);
    expect(s.expires_at - s.created).toBeLessThanOrEqual(24 * 3600 + 2);

    expect(await stripe.checkout.sessions.retrieve(s.id)).toEqual(s);
    const items = await stripe.checkout.sessions.listLineItems(s.id);
    expect(items.data.map((i) => [i.object, i.description, i.quantity, i.amount_total, i.currency, i.price?.unit_amount])).toEqual([
      ['item', 'Sandpay mug', 2, 3000, 'usd', 1500],
      ['item', 'Gift wrap', 1, 500, 'usd', 500],
    ]);
    expect(items.data[0]!.id).toMatch(/^li_/);
    const page = await stripe.checkout.sessions.listLineItems(s.id, { limit: 1 });
    expect(page.has_more).toBe(true);
    const rest = await stripe.checkout.sessions.listLineItems(s.id, { limit: 1, starting_after: page.data[0]!.id });
    expect(rest.data.map((i) => i.description)).toEqual(['Gift wrap']);
    const expanded = await stripe.checkout.sessions.retrieve(s.id, { expand: ['line_items'] });
    expect(expanded.line_items?.data.map((i) => i.id)).toEqual(items.data.map((i) => i.id));

    // The page is there, with the lines and the total.
    const html = await (await fetch(s.url!, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('Sandpay mug');
    expect(html).toContain('$35.00');
    // Its test cards are a Stripe integration's: Stripe's 3-D Secure numbers, no RuPay, no card that waits for Sandpay's simulate call.
    const cards = [...html.matchAll(/data-fill-card="(\d+)"/g)].map((m) => m[1]);
    expect(cards).toContain('4242424242424242');
    expect(cards).toContain('4000002760003184');
    expect(cards).not.toContain('6521000000000007');
    expect(cards).not.toContain('4000000000000077');
    expect(html).not.toContain('simulate');
    // Sandpay's own hosted page keeps its list, without Stripe's extra numbers.
    const native = await (await fetch(`${sys.url}/checkout/cs_${s.id.slice('cs_test_'.length)}`, { headers: { accept: 'text/html' } })).text();
    const nativeCards = [...native.matchAll(/data-fill-card="(\d+)"/g)].map((m) => m[1]);
    expect(nativeCards).toContain('6521000000000007');
    expect(nativeCards).not.toContain('4000002760003184');
  });

  it('a customer is the session\'s and its PaymentIntent\'s; list pages by cursor and filters by customer and payment_intent', async () => {
    const customer = await stripe.customers.create({ email: 'grace@example.com' });
    const a = await newSession({ customer: customer.id });
    const b = await newSession();
    expect(a.customer).toBe(customer.id);
    const first = await stripe.checkout.sessions.list({ limit: 1 });
    expect(first.data.map((s) => s.id)).toEqual([b.id]);
    expect(first.has_more).toBe(true);
    expect((await stripe.checkout.sessions.list({ limit: 1, starting_after: b.id })).data.map((s) => s.id)).toEqual([a.id]);
    expect((await stripe.checkout.sessions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([a.id]);

    const paid = await payOnPage(a, CARDS.visa);
    expect(paid.status).toBe(200);
    const done = await stripe.checkout.sessions.retrieve(a.id, { expand: ['payment_intent'] });
    const pi = done.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'succeeded', customer: customer.id, amount: 3500, currency: 'usd' });
    expect((await stripe.checkout.sessions.list({ payment_intent: pi.id })).data.map((s) => s.id)).toEqual([a.id]);
  });

  it('paid on its page: complete and paid, its PaymentIntent succeeded with a charge, checkout.session.completed once, signed, in events.list', async () => {
    const s = await newSession({ payment_intent_data: { metadata: { order: '7' } } });
    const declined = await payOnPage(s, CARDS.declined);
    expect(declined.body.payment.status).toBe('failed');
    const open = await stripe.checkout.sessions.retrieve(s.id);
    expect(open).toMatchObject({ status: 'open', payment_status: 'unpaid' });
    // The first attempt made the PaymentIntent, as Stripe's confirm does.
    expect(open.payment_intent).toMatch(/^pi_/);

    const paid = await payOnPage(s, CARDS.visa);
    expect(paid.body.status).toBe('complete');
    const done = await stripe.checkout.sessions.retrieve(s.id);
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', payment_intent: open.payment_intent, url: null });
    const pi = await stripe.paymentIntents.retrieve(done.payment_intent as string);
    expect(pi).toMatchObject({ status: 'succeeded', amount: 3500, amount_received: 3500, metadata: { order: '7' } });
    const charges = await stripe.charges.list({ payment_intent: pi.id });
    expect(charges.data.map((c) => c.status).sort()).toEqual(['failed', 'succeeded']);

    const [event] = await eventually(async () => delivered('checkout.session.completed', s.id), (e) => e.length >= 1);
    expect(event!.data.object).toMatchObject({ id: s.id, status: 'complete', payment_status: 'paid', payment_intent: pi.id, amount_total: 3500 });
    const listed = await stripe.events.list({ type: 'checkout.session.completed' });
    expect(listed.data.filter((e) => (e.data.object as { id: string }).id === s.id).map((e) => e.id)).toEqual([event!.id]);
    // Told once: Sandpay's own event of the hosted session has no Stripe name of its own.
    expect(listed.data.filter((e) => (e.data.object as { id: string }).id.startsWith('cs_') && !(e.data.object as { id: string }).id.startsWith('cs_test_'))).toEqual([]);
    expect(delivered('checkout.session.completed', s.id)).toHaveLength(1);
  });

  it('a manual-capture session completes authorized (unpaid) and is paid once captured', async () => {
    const s = await newSession({ payment_intent_data: { capture_method: 'manual' } });
    await payOnPage(s, CARDS.visa);
    const done = await stripe.checkout.sessions.retrieve(s.id);
    expect(done).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    expect((await stripe.paymentIntents.retrieve(done.payment_intent as string)).status).toBe('requires_capture');
    await stripe.paymentIntents.capture(done.payment_intent as string);
    expect((await stripe.checkout.sessions.retrieve(s.id)).payment_status).toBe('paid');
    await eventually(async () => delivered('checkout.session.completed', s.id), (e) => e.length === 1);
  });

  it('expire: an open session expires (checkout.session.expired); a second expire, or one of a complete session, is Stripe\'s 400', async () => {
    const s = await newSession();
    const expired = await stripe.checkout.sessions.expire(s.id);
    expect(expired).toMatchObject({ id: s.id, status: 'expired', payment_status: 'unpaid', url: null });
    const again = await stripeError(stripe.checkout.sessions.expire(s.id));
    expect(again).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    expect(again.message).toContain('open');
    const [event] = await eventually(async () => delivered('checkout.session.expired', s.id), (e) => e.length >= 1);
    expect(event!.data.object).toMatchObject({ id: s.id, status: 'expired' });
    // The page can no longer be paid.
    const late = await payOnPage(s, CARDS.visa);
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'session_expired' } } });

    const paid = await newSession();
    await payOnPage(paid, CARDS.visa);
    expect(await stripeError(stripe.checkout.sessions.expire(paid.id))).toMatchObject({ statusCode: 400 });
  });

  it('expire while a 3-D Secure challenge is open cancels that payment: the challenge can no longer pay the session', async () => {
    const s = await newSession();
    const challenged = await payOnPage(s, CARDS.delayed);
    expect(challenged.body.payment).toMatchObject({ status: 'pending', next_action: 'three_ds_challenge' });
    expect((await stripe.checkout.sessions.expire(s.id)).status).toBe('expired');
    const native = `cs_${s.id.slice('cs_test_'.length)}`;
    const answer = await fetch(`${sys.url}/checkout/${native}/authenticate`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `k-${Math.random()}` }, body: JSON.stringify({ outcome: 'complete' }),
    });
    expect(answer.status).toBe(409);
    const after = await stripe.checkout.sessions.retrieve(s.id);
    expect(after).toMatchObject({ status: 'expired', payment_status: 'unpaid' });
    expect(await stripe.paymentIntents.retrieve(after.payment_intent as string)).toMatchObject({ status: 'canceled', cancellation_reason: 'expired' });
  });

  it('create honours Idempotency-Key: a retry answers the same session', async () => {
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 900, product_data: { name: 'Cap' } });
    const params = { mode: 'payment' as const, line_items: [{ price: price.id, quantity: 1 }], success_url: SUCCESS };
    const a = await stripe.checkout.sessions.create(params, { idempotencyKey: 'cs-retry-1' });
    const b = await stripe.checkout.sessions.create(params, { idempotencyKey: 'cs-retry-1' });
    expect(b.id).toBe(a.id);
    expect((await stripe.checkout.sessions.list({ limit: 100 })).data.filter((x) => x.amount_total === 900)).toHaveLength(1);
  });

  it('lapses at expires_at through the expiry job, with checkout.session.expired', async () => {
    const s = await newSession({ expires_at: now() + 31 * 60 });
    expect(s.expires_at).toBeGreaterThanOrEqual(now() + 30 * 60);
    // Time moves on: the session's expiry is due now, and so is its job.
    const native = `cs_${s.id.slice('cs_test_'.length)}`;
    await sys.sql("UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [native]);
    await sys.sql(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'sessionId' = $2`, [QUEUES.checkoutExpire, native]);
    await eventually(() => stripe.checkout.sessions.retrieve(s.id), (x) => x.status === 'expired', 30_000);
    await eventually(async () => delivered('checkout.session.expired', s.id), (e) => e.length === 1, 15_000);
  });

  it('refuses what Stripe refuses, with the parameter', async () => {
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1000, product_data: { name: 'Tee' } });
    const ok = { mode: 'payment' as const, line_items: [{ price: price.id, quantity: 1 }], success_url: SUCCESS };
    const cases: Array<[Partial<Stripe.Checkout.SessionCreateParams> | Record<string, unknown>, string, RegExp?]> = [
      [{ mode: 'subscription' }, 'mode', /payment mode only/],
      [{ mode: 'setup' }, 'mode', /payment mode only/],
      [{ success_url: undefined }, 'success_url'],
      [{ success_url: 'not a url' }, 'success_url'],
      [{ line_items: [{ price: 'price_doesnotexist000000000', quantity: 1 }] }, 'line_items[0][price]', /No such price/],
      [{ line_items: [{ price: price.id, quantity: 0 }] }, 'line_items[0][quantity]'],
      [{ line_items: [{ price: price.id }] }, 'line_items[0][quantity]'],
      [{ line_items: [] }, 'line_items'],
      [{ line_items: [{ price: price.id, quantity: 1 }, { price_data: { currency: 'eur', unit_amount: 100, product_data: { name: 'x' } }, quantity: 1 }] }, 'line_items[1][price]', /same currency/],
      [{ expires_at: now() + 10 * 60 }, 'expires_at', /30 minutes/],
      [{ expires_at: now() + 25 * 3600 }, 'expires_at', /24 hours/],
      [{ customer: 'cus_doesnotexist00000000' }, 'customer', /No such customer/],
      // A price_data's own refusal names the parameter where it was given.
      [{ line_items: [{ price_data: { currency: 'usd', product_data: { name: 'x' } }, quantity: 1 }] }, 'line_items[0][price_data][unit_amount]'],
      [{ line_items: [{ price: price.id, quantity: 1 }, { price_data: { currency: 'usd', unit_amount: 100, unit_amount_decimal: '100', product_data: { name: 'x' } }, quantity: 1 }] }, 'line_items[1][price_data][unit_amount_decimal]'],
    ];
    for (const [patch, param, message] of cases) {
      const err = await stripeError(stripe.checkout.sessions.create({ ...ok, ...patch } as Stripe.Checkout.SessionCreateParams));
      expect(err, JSON.stringify(patch)).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', param });
      if (message) expect(err.message).toMatch(message);
    }
    const recurring = await stripe.prices.create({ currency: 'usd', unit_amount: 1000, product_data: { name: 'Plan' }, recurring: { interval: 'month' } });
    expect(await stripeError(stripe.checkout.sessions.create({ ...ok, line_items: [{ price: recurring.id, quantity: 1 }] }))).toMatchObject({ statusCode: 400, param: 'line_items[0][price]' });
    // Nothing half-made: the refused sessions are in no list.
    const listed = await stripe.checkout.sessions.list({ limit: 100 });
    expect(listed.data.every((s) => s.amount_total !== 1000)).toBe(true);
  });

  it('answers back what it was created with: submit_type, locale, billing_address_collection, allow_promotion_codes, customer_creation, product_data', async () => {
    const s = await stripe.checkout.sessions.create({
      mode: 'payment', success_url: SUCCESS, submit_type: 'donate', locale: 'fr', billing_address_collection: 'required', allow_promotion_codes: true, customer_creation: 'always',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 700, product_data: { name: 'Poster', description: 'A3, matte', images: ['https://shop.example/poster.png'] } }, quantity: 1 }],
    });
    for (const got of [s, await stripe.checkout.sessions.retrieve(s.id)]) {
      expect(got).toMatchObject({ submit_type: 'donate', locale: 'fr', billing_address_collection: 'required', allow_promotion_codes: true, customer_creation: 'always' });
    }
    const plain = await newSession();
    expect(plain).toMatchObject({ submit_type: null, locale: null, billing_address_collection: null, allow_promotion_codes: null, customer_creation: 'if_required' });
    // expand[] reaches into the embedded line items: the Price, and its Product with what product_data gave it.
    const expanded = await stripe.checkout.sessions.retrieve(s.id, { expand: ['line_items.data.price.product'] });
    const product = expanded.line_items!.data[0]!.price!.product as Stripe.Product;
    expect(product).toMatchObject({ object: 'product', name: 'Poster', description: 'A3, matte', images: ['https://shop.example/poster.png'] });
    const withPrice = await stripe.checkout.sessions.retrieve(s.id, { expand: ['line_items.data.price'] });
    expect(withPrice.line_items!.data[0]!.price).toMatchObject({ object: 'price', unit_amount: 700 });
    const listed = await stripe.checkout.sessions.list({ limit: 1, expand: ['data.line_items.data.price.product'] });
    expect((listed.data[0]!.line_items!.data[0]!.price!.product as Stripe.Product).object).toBe('product');
    expect(await stripeError(stripe.checkout.sessions.retrieve(s.id, { expand: ['line_items.data.description'] }))).toMatchObject({ param: 'expand' });
  });

  it('another tenant\'s session is Stripe\'s 404 everywhere', async () => {
    const s = await newSession();
    const other = stripeSdk(sys.url, (await registerTenant(sys.url, 'Other')).sk);
    for (const call of [() => other.checkout.sessions.retrieve(s.id), () => other.checkout.sessions.listLineItems(s.id), () => other.checkout.sessions.expire(s.id)]) {
      expect(await stripeError(call())).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    }
    expect((await other.checkout.sessions.list()).data).toEqual([]);
    expect(await stripeError(stripe.checkout.sessions.retrieve('cs_test_nope'))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect((await stripe.checkout.sessions.retrieve(s.id)).status).toBe('open');
  });
});

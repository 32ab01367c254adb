import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { stripeError, stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * Customers and PaymentMethods through the official `stripe` SDK: CRUD, lists and search, cards
 * from numbers and tokens, attach/detach, a PaymentIntent's customer, and tenant isolation.
 */
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;

const nextYear = new Date().getUTCFullYear() + 1;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  stripe = stripeSdk(sys.url, t.sk);
});
afterAll(async () => {
  await sys?.stop();
});

describe('Customers through stripe-node', () => {
  it('create, retrieve, update (metadata merges, "" unsets), delete; a deleted customer answers its stub', async () => {
    const c = await stripe.customers.create({
      email: 'jenny@example.com', name: 'Jenny Rosen', phone: '+15555550100', address: { line1: '1 Main St', city: 'Springfield', country: 'US' },
      metadata: { user_id: '42', plan: 'free' },
    });
    expect(c).toMatchObject({
      object: 'customer', email: 'jenny@example.com', name: 'Jenny Rosen', livemode: false, balance: 0, delinquent: false,
      address: { line1: '1 Main St', line2: null, city: 'Springfield', state: null, postal_code: null, country: 'US' },
      invoice_settings: { default_payment_method: null }, metadata: { user_id: '42', plan: 'free' },
    });
    expect(c.id).toMatch(/^cus_[0-9A-Za-z]{20}$/);
    expect(await stripe.customers.retrieve(c.id)).toEqual(c);

    const updated = await stripe.customers.update(c.id, { metadata: { plan: 'pro', user_id: '' }, name: '', description: 'VIP' });
    expect(updated).toMatchObject({ metadata: { plan: 'pro' }, name: null, description: 'VIP', email: 'jenny@example.com' });

    const deleted = await stripe.customers.del(c.id);
    expect(deleted).toEqual({ id: c.id, object: 'customer', deleted: true });
    const after = await stripe.customers.retrieve(c.id);
    expect({ ...after }).toEqual({ id: c.id, object: 'customer', deleted: true });
    const again = await stripeError(stripe.customers.update(c.id, { name: 'x' }));
    expect(again).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect((await stripe.customers.list({ email: 'jenny@example.com' })).data).toEqual([]);
  });

  it('lists newest first with email and created filters, and auto-paginates both ways', async () => {
    const shop = await registerTenant(sys.url, 'Customer lister');
    const s = stripeSdk(sys.url, shop.sk);
    const made: string[] = [];
    for (let i = 0; i < 23; i++) made.push((await s.customers.create({ email: i % 5 === 0 ? 'five@example.com' : `c${i}@example.com` })).id);
    const newestFirst = [...made].reverse();

    const page = await s.customers.list({ limit: 10 });
    expect(page).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
    expect(page.data.map((c) => c.id)).toEqual(newestFirst.slice(0, 10));
    const all = await s.customers.list({ limit: 7 }).autoPagingToArray({ limit: 100 });
    expect(all.map((c) => c.id)).toEqual(newestFirst);
    // Backwards from the oldest: the SDK walks ending_before, yielding each page from its oldest.
    const newer = await s.customers.list({ limit: 4, ending_before: made[0] }).autoPagingToArray({ limit: 100 });
    expect(newer.map((c) => c.id)).toEqual(made.slice(1));

    const fives = await s.customers.list({ email: 'five@example.com' });
    expect(fives.data.map((c) => c.id)).toEqual([made[20], made[15], made[10], made[5], made[0]]);
    const first = await s.customers.retrieve(made[0]!) as Stripe.Customer;
    const none = await s.customers.list({ created: { lt: first.created } });
    expect(none.data).toEqual([]);
    const bad = await stripeError(s.customers.list({ starting_after: 'cus_00000000000000000000' }));
    expect(bad).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'starting_after' });
  });

  it('search: email, metadata, substring and AND, with next_page', async () => {
    const shop = await registerTenant(sys.url, 'Searcher');
    const s = stripeSdk(sys.url, shop.sk);
    const a = await s.customers.create({ email: 'ann@shop.test', name: 'Ann Lee', metadata: { tier: 'gold' } });
    const b = await s.customers.create({ email: 'bob@shop.test', name: 'Bob Lee', metadata: { tier: 'gold' } });
    await s.customers.create({ email: 'cat@other.test', name: 'Cat', metadata: { tier: 'silver' } });

    const byEmail = await s.customers.search({ query: "email:'ANN@shop.test'" });
    expect(byEmail).toMatchObject({ object: 'search_result', has_more: false, next_page: null });
    expect(byEmail.data.map((c) => c.id)).toEqual([a.id]);
    const gold = await s.customers.search({ query: "metadata['tier']:'gold' AND name~'lee'", limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(gold.map((c) => c.id)).toEqual([b.id, a.id]);
    const notGold = await s.customers.search({ query: "-metadata['tier']:'gold'" });
    expect(notGold.data.map((c) => c.email)).toEqual(['cat@other.test']);
    const bad = await stripeError(s.customers.search({ query: "colour:'red'" }));
    expect(bad).toMatchObject({ statusCode: 400, param: 'query' });
  });
});

describe('PaymentMethods through stripe-node', () => {
  it('create from a card number and from a token; bad cards are StripeCardErrors naming the field', async () => {
    const pm = await stripe.paymentMethods.create({
      type: 'card', card: { number: '5555555555554444', exp_month: 8, exp_year: nextYear, cvc: '123' },
      billing_details: { name: 'Jenny Rosen', email: 'jenny@example.com' }, metadata: { label: 'work' },
    });
    expect(pm).toMatchObject({
      object: 'payment_method', type: 'card', customer: null, metadata: { label: 'work' },
      card: { brand: 'mastercard', last4: '4444', exp_month: 8, exp_year: nextYear },
      billing_details: { name: 'Jenny Rosen', email: 'jenny@example.com', phone: null, address: null },
    });
    expect(pm.id).toMatch(/^pm_[0-9A-Za-z]{20}$/);
    expect(await stripe.paymentMethods.retrieve(pm.id)).toEqual(pm);

    const fromToken = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    expect(fromToken.card).toMatchObject({ brand: 'visa', last4: '4242' });

    const wrong = await stripeError(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424241', exp_month: 1, exp_year: nextYear } }));
    expect(wrong).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(wrong).toMatchObject({ statusCode: 402, code: 'incorrect_number', param: 'card[number]' });
    const real = await stripeError(stripe.paymentMethods.create({ type: 'card', card: { number: '4111111111111111', exp_month: 1, exp_year: nextYear } }));
    expect(real).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'test_mode_live_card', param: 'card[number]' });
    const garbage = await stripeError(stripe.paymentMethods.create({ type: 'card', card: { number: '4242abcd', exp_month: 1, exp_year: nextYear } }));
    expect(garbage).toMatchObject({ statusCode: 402, code: 'invalid_number', param: 'card[number]' });
    const expired = await stripeError(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 1, exp_year: 2020 } }));
    expect(expired).toMatchObject({ statusCode: 402, type: 'StripeCardError', code: 'invalid_expiry_year', param: 'card[exp_year]' });
    const month = await stripeError(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 13, exp_year: nextYear } }));
    expect(month).toMatchObject({ statusCode: 402, code: 'invalid_expiry_month', param: 'card[exp_month]' });
    const token = await stripeError(stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_nope' } }));
    expect(token).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'card[token]' });
    const missing = await stripeError(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_year: nextYear } } as never));
    expect(missing).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'card[exp_month]' });
  });

  it('attach, list (both ways), default, update, detach; deleting a customer detaches its cards', async () => {
    const c = await stripe.customers.create({ email: 'holder@example.com' });
    const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: c.id });
    expect(visa).toMatchObject({ customer: c.id, card: { last4: '4242' } });
    const own = await stripe.paymentMethods.create({ type: 'card', card: { number: '378282246310005', exp_month: 3, exp_year: nextYear } });
    const amex = await stripe.paymentMethods.attach(own.id, { customer: c.id });
    expect(amex).toMatchObject({ id: own.id, customer: c.id, card: { brand: 'amex' } });

    const listed = await stripe.customers.listPaymentMethods(c.id);
    expect(listed).toMatchObject({ object: 'list', has_more: false, url: `/v1/customers/${c.id}/payment_methods` });
    expect(listed.data.map((p) => p.id)).toEqual([amex.id, visa.id]);
    const paged = await stripe.paymentMethods.list({ customer: c.id, type: 'card', limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(paged.map((p) => p.id)).toEqual([amex.id, visa.id]);
    expect((await stripe.paymentMethods.list({ customer: c.id, type: 'us_bank_account' })).data).toEqual([]);
    const noCustomer = await stripeError(stripe.paymentMethods.list({} as never));
    expect(noCustomer).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'customer' });
    expect(await stripe.customers.retrievePaymentMethod(c.id, visa.id)).toEqual(visa);

    const withDefault = await stripe.customers.update(c.id, { invoice_settings: { default_payment_method: visa.id } });
    expect(withDefault.invoice_settings.default_payment_method).toBe(visa.id);
    const expanded = await stripe.customers.retrieve(c.id, { expand: ['invoice_settings.default_payment_method'] }) as Stripe.Customer;
    expect(expanded.invoice_settings.default_payment_method).toMatchObject({ id: visa.id, object: 'payment_method' });
    const pmExpanded = await stripe.paymentMethods.retrieve(visa.id, { expand: ['customer'] });
    expect(pmExpanded.customer).toMatchObject({ id: c.id, object: 'customer', email: 'holder@example.com' });

    const updated = await stripe.paymentMethods.update(amex.id, { billing_details: { name: 'Holder' }, card: { exp_month: 11 }, metadata: { label: 'travel' } });
    expect(updated).toMatchObject({ billing_details: { name: 'Holder' }, card: { exp_month: 11, exp_year: nextYear }, metadata: { label: 'travel' } });
    const pastExpiry = await stripeError(stripe.paymentMethods.update(amex.id, { card: { exp_year: 2001 } }));
    expect(pastExpiry).toMatchObject({ statusCode: 402, code: 'invalid_expiry_year' });

    const detached = await stripe.paymentMethods.detach(visa.id);
    expect(detached.customer).toBeNull();
    expect((await stripe.customers.retrieve(c.id) as Stripe.Customer).invoice_settings.default_payment_method).toBeNull();
    const notHers = await stripeError(stripe.customers.retrievePaymentMethod(c.id, visa.id));
    expect(notHers).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const twice = await stripeError(stripe.paymentMethods.detach(visa.id));
    expect(twice).toMatchObject({ statusCode: 400, code: 'payment_method_unexpected_state' });
    const unsaved = await stripeError(stripe.paymentMethods.update(visa.id, { metadata: { a: 'b' } }));
    expect(unsaved).toMatchObject({ statusCode: 400, code: 'payment_method_unexpected_state' });

    const other = await stripe.customers.create({});
    const taken = await stripeError(stripe.paymentMethods.attach(amex.id, { customer: other.id }));
    expect(taken).toMatchObject({ statusCode: 400, code: 'payment_method_unexpected_state' });

    await stripe.customers.del(c.id);
    expect((await stripe.paymentMethods.retrieve(amex.id)).customer).toBeNull();
    const gone = await stripeError(stripe.customers.listPaymentMethods(c.id));
    expect(gone).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('a customer created with payment_method has it attached', async () => {
    const c = await stripe.customers.create({ payment_method: 'pm_card_mastercard', invoice_settings: { default_payment_method: '' } });
    const methods = await stripe.customers.listPaymentMethods(c.id);
    expect(methods.data).toHaveLength(1);
    expect(methods.data[0]).toMatchObject({ customer: c.id, card: { brand: 'mastercard' } });
  });
});

describe("a PaymentIntent's customer", () => {
  it('must exist, and expands', async () => {
    const c = await stripe.customers.create({ email: 'payer@example.com' });
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: c.id, payment_method: 'pm_card_visa', confirm: true, expand: ['customer'] });
    expect(pi.status).toBe('succeeded');
    expect(pi.customer).toMatchObject({ id: c.id, object: 'customer', email: 'payer@example.com' });
    const listed = await stripe.paymentIntents.list({ customer: c.id, expand: ['data.customer'] });
    expect(listed.data.map((p) => p.id)).toEqual([pi.id]);
    expect(listed.data[0]!.customer).toMatchObject({ id: c.id });

    const missing = await stripeError(stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: 'cus_00000000000000000000' }));
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'customer' });
    const open = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
    const badUpdate = await stripeError(stripe.paymentIntents.update(open.id, { customer: 'cus_nope' }));
    expect(badUpdate).toMatchObject({ statusCode: 404, param: 'customer' });
    await stripe.customers.del(c.id);
    const deleted = await stripeError(stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: c.id }));
    expect(deleted).toMatchObject({ statusCode: 404, param: 'customer' });
  });
});

describe('tenant isolation', () => {
  it("another tenant's cus_ and pm_ are resource_missing", async () => {
    const other = await registerTenant(sys.url, 'Other shop');
    const theirs = stripeSdk(sys.url, other.sk);
    const c = await theirs.customers.create({ email: 'theirs@example.com' });
    const pm = await theirs.paymentMethods.attach('pm_card_visa', { customer: c.id });

    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => stripe.customers.retrieve(c.id), `No such customer: '${c.id}'`],
      [() => stripe.customers.update(c.id, { name: 'mine now' }), `No such customer: '${c.id}'`],
      [() => stripe.customers.del(c.id), `No such customer: '${c.id}'`],
      [() => stripe.customers.listPaymentMethods(c.id), `No such customer: '${c.id}'`],
      [() => stripe.paymentMethods.retrieve(pm.id), `No such PaymentMethod: '${pm.id}'`],
      [() => stripe.paymentMethods.detach(pm.id), `No such PaymentMethod: '${pm.id}'`],
      [() => stripe.paymentMethods.list({ customer: c.id }), `No such customer: '${c.id}'`],
      [() => stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: c.id }), `No such customer: '${c.id}'`],
    ];
    for (const [call, message] of cases) {
      const err = await stripeError(call());
      expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing' });
      expect(err.message).toContain(message);
    }
    const mine = await stripe.customers.create({});
    const attach = await stripeError(stripe.paymentMethods.attach(pm.id, { customer: mine.id }));
    expect(attach).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    // Theirs is untouched.
    expect(await theirs.customers.retrieve(c.id)).toMatchObject({ name: null, email: 'theirs@example.com' });
    expect((await theirs.paymentMethods.retrieve(pm.id)).customer).toBe(c.id);
    expect((await stripe.customers.search({ query: "email:'theirs@example.com'" })).data).toEqual([]);
  });
});

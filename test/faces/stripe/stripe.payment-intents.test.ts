import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { stripeError, stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * The official `stripe` SDK, pointed at Sandpay by its host alone: PaymentIntents and Charges as
 * views of the ledger's orders and payments.
 */
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  stripe = stripeSdk(sys.url, t.sk);
});
afterAll(async () => {
  await sys?.stop();
});

describe('PaymentIntents through stripe-node', () => {
  it('create and confirm with pm_card_visa succeeds, and the ledger has the payment', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { order: '42' } });
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 2000, amount_received: 2000, amount_capturable: 0, currency: 'usd', metadata: { order: '42' }, livemode: false });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
    expect(pi.payment_method).toMatch(/^pm_/);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ object: 'charge', status: 'succeeded', paid: true, captured: true, amount_captured: 2000, payment_intent: pi.id, refunded: false });
    expect(charge.payment_method_details?.card).toMatchObject({ brand: 'visa', last4: '4242' });
    // One ledger: the native API sees the same payment.
    const native = await t.api.get(`/payments/${(pi.latest_charge as string).replace(/^ch_/, 'pay_')}`);
    expect(native.body).toMatchObject({ status: 'success', amount: 2000, currency: 'USD' });
  });

  it('a declined card is a StripeCardError (402) carrying the intent, now requires_payment_method', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd' });
    expect(pi.status).toBe('requires_payment_method');
    const err = await stripeError(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'insufficient_funds' });
    expect(err.payment_intent).toMatchObject({ id: pi.id, status: 'requires_payment_method', last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' } });
    const again = await stripe.paymentIntents.retrieve(pi.id);
    expect(again.status).toBe('requires_payment_method');
    // It can be confirmed again with another card.
    const paid = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_mastercard' });
    expect(paid.status).toBe('succeeded');
  });

  it('manual capture: requires_capture, then a partial capture succeeds', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'eur', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    expect(pi).toMatchObject({ status: 'requires_capture', amount_capturable: 5000, amount_received: 0 });
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 3000 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 3000, amount_capturable: 0 });
    const err = await stripeError(stripe.paymentIntents.capture(pi.id));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.code).toBe('payment_intent_unexpected_state');
  });

  it('cancel releases an authorization', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'requested_by_customer' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_customer' });
    expect(canceled.canceled_at).toEqual(expect.any(Number));
  });

  it('3-D Secure: a return_url gives requires_action with a redirect', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: 'https://shop.example/return' });
    expect(pi.status).toBe('requires_action');
    expect(pi.next_action).toMatchObject({ type: 'redirect_to_url', redirect_to_url: { return_url: 'https://shop.example/return' } });
  });

  it("a customer's saved card confirms only that customer's intents (create, update, confirm)", async () => {
    const alice = await stripe.customers.create({ email: 'alice@example.com' });
    const bob = await stripe.customers.create({ email: 'bob@example.com' });
    const saved = await stripe.paymentMethods.attach((await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } })).id, { customer: alice.id });
    const forBob = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: bob.id });
    const err = await stripeError(stripe.paymentIntents.confirm(forBob.id, { payment_method: saved.id }));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', param: 'payment_method' });
    expect(err.message).toMatch(/different Customer/);
    const forNobody = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect(await stripeError(stripe.paymentIntents.confirm(forNobody.id, { payment_method: saved.id }))).toMatchObject({ param: 'payment_method' });
    expect(await stripeError(stripe.paymentIntents.update(forNobody.id, { payment_method: saved.id }))).toMatchObject({ param: 'payment_method' });
    expect(await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: bob.id, payment_method: saved.id, confirm: true }))).toMatchObject({ param: 'payment_method' });
    for (const id of [forBob.id, forNobody.id]) expect((await stripe.paymentIntents.retrieve(id)).status).toBe('requires_payment_method');
    const forAlice = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: alice.id, payment_method: saved.id, confirm: true });
    expect(forAlice).toMatchObject({ status: 'succeeded', payment_method: saved.id });
  });

  it("Stripe's other 3-D Secure test cards and ids ask for authentication", async () => {
    for (const number of ['4000002760003184', '4000002500003155', '4000000000003063', '4000000000003220']) {
      const pm = await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: 2034, cvc: '123' } });
      expect(pm.card?.last4).toBe(number.slice(-4));
      const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: pm.id, confirm: true, return_url: 'https://shop.example/back' });
      expect(pi.status, number).toBe('requires_action');
      expect(pi.next_action?.type).toBe('redirect_to_url');
    }
    for (const id of ['pm_card_threeDSecureRequired', 'pm_card_authenticationRequiredOnSetup', 'pm_card_threeDSecure2Required', 'pm_card_authenticationRequired']) {
      const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: id, confirm: true });
      expect(pi.status, id).toBe('requires_action');
      expect(pi.next_action?.type).toBe('use_stripe_sdk');
    }
  });

  it('update merges metadata; "" unsets a key', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', metadata: { a: '1', b: '2' } });
    const updated = await stripe.paymentIntents.update(pi.id, { metadata: { b: '', c: '3' }, description: 'Order 7' });
    expect(updated.metadata).toEqual({ a: '1', c: '3' });
    expect(updated.description).toBe('Order 7');
  });

  it('update changes the amount and currency before confirmation, and not after', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const repriced = await stripe.paymentIntents.update(pi.id, { amount: 2500, currency: 'eur' });
    expect(repriced).toMatchObject({ amount: 2500, currency: 'eur', status: 'requires_payment_method' });
    const paid = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 2500 });
    const late = await stripeError(stripe.paymentIntents.update(pi.id, { amount: 100 }));
    expect(late).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('unknown parameters, missing ones and other tenants\' ids are Stripe\'s errors', async () => {
    const unknown = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', bogus: 1 } as never));
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unknown).toMatchObject({ code: 'parameter_unknown', param: 'bogus' });
    const missing = await stripeError(stripe.paymentIntents.create({ currency: 'usd' } as never));
    expect(missing).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    const other = await registerTenant(sys.url, 'Other');
    const theirs = await stripeSdk(sys.url, other.sk).paymentIntents.create({ amount: 1000, currency: 'usd' });
    const notMine = await stripeError(stripe.paymentIntents.retrieve(theirs.id));
    expect(notMine).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(notMine.message).toContain(`No such payment_intent: '${theirs.id}'`);
    const badKey = await stripeError(stripeSdk(sys.url, 'sk_test_nope').paymentIntents.list());
    expect(badKey).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('an idempotent retry replays; the same key with other parameters is a StripeIdempotencyError', async () => {
    const key = `order-${Date.now()}`;
    const first = await stripe.paymentIntents.create({ amount: 1234, currency: 'usd' }, { idempotencyKey: key });
    const again = await stripe.paymentIntents.create({ amount: 1234, currency: 'usd' }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    const changed = await stripeError(stripe.paymentIntents.create({ amount: 999, currency: 'usd' }, { idempotencyKey: key }));
    expect(changed).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('lists newest first, and auto-pagination walks every page', async () => {
    const shop = await registerTenant(sys.url, 'Lister');
    const s = stripeSdk(sys.url, shop.sk);
    const made: string[] = [];
    for (let i = 0; i < 25; i++) made.push((await s.paymentIntents.create({ amount: 100 + i, currency: 'usd' })).id);
    const page = await s.paymentIntents.list({ limit: 10 });
    expect(page).toMatchObject({ object: 'list', has_more: true, url: '/v1/payment_intents' });
    expect(page.data.map((p) => p.id)).toEqual(made.slice(-10).reverse());
    const all = await s.paymentIntents.list({ limit: 7 }).autoPagingToArray({ limit: 100 });
    expect(all.map((p) => p.id)).toEqual([...made].reverse());
  });

  it('expands latest_charge', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, expand: ['latest_charge'] });
    expect(pi.latest_charge).toMatchObject({ object: 'charge', amount: 2500, status: 'succeeded' });
  });
});

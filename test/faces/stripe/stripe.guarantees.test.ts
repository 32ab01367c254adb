import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PAYMENT_METHODS } from '../../../src/faces/stripe/payment-methods.ts';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { CARDS, cardBody, createPayment } from '../../support/payments.ts';
import { stripeError, stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * What the Stripe face promises beyond single calls: every documented test payment method, an
 * intent captured or paid once under concurrent requests, restricted keys keeping their
 * permissions, and auto-pagination over hundreds of objects.
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

/** What each documented test payment method does when a PaymentIntent is confirmed with it. */
const OUTCOMES: Record<string, { status?: string; code?: string; decline_code?: string }> = {
  pm_card_visa: { status: 'succeeded' },
  pm_card_mastercard: { status: 'succeeded' },
  pm_card_amex: { status: 'succeeded' },
  pm_card_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline' },
  pm_card_chargeDeclinedInsufficientFunds: { code: 'card_declined', decline_code: 'insufficient_funds' },
  pm_card_chargeDeclinedExpiredCard: { code: 'expired_card', decline_code: 'expired_card' },
  pm_card_chargeDeclinedIncorrectCvc: { code: 'incorrect_cvc', decline_code: 'incorrect_cvc' },
  pm_card_chargeDeclinedProcessingError: { code: 'processing_error', decline_code: 'processing_error' },
  pm_card_threeDSecure2Required: { status: 'requires_action' },
  pm_card_authenticationRequired: { status: 'requires_action' },
  pm_card_threeDSecureRequired: { status: 'requires_action' },
  pm_card_authenticationRequiredOnSetup: { status: 'requires_action' },
  pm_card_radarBlock: { code: 'card_declined', decline_code: 'fraudulent' },
  pm_card_chargeDeclinedLostCard: { code: 'card_declined', decline_code: 'lost_card' },
  pm_card_chargeDeclinedStolenCard: { code: 'card_declined', decline_code: 'stolen_card' },
};

describe('the Stripe face', () => {
  it('answers every documented test payment method as Stripe does', async () => {
    expect(Object.keys(OUTCOMES).sort()).toEqual([...TEST_PAYMENT_METHODS].sort());
    for (const [pm, want] of Object.entries(OUTCOMES)) {
      const create = stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: pm, confirm: true, return_url: 'https://shop.example/back' });
      if (want.status) {
        expect((await create).status, pm).toBe(want.status);
      } else {
        const err = await stripeError(create);
        expect(err, pm).toBeInstanceOf(Stripe.errors.StripeCardError);
        expect({ code: err.code, decline_code: err.decline_code || undefined }, pm).toEqual({ code: want.code, decline_code: want.decline_code });
        expect(err.payment_intent?.status, pm).toBe('requires_payment_method');
      }
    }
    // tok_ tokens stand for the same cards.
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_chargeDeclined' } });
    expect(await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: pm.id, confirm: true }))).toMatchObject({ code: 'card_declined' });
  });

  it('captures an intent once under 10 concurrent captures', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 4000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => stripe.paymentIntents.capture(pi.id)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Stripe.errors.StripeError).code).toBe('payment_intent_unexpected_state');
    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({ status: 'succeeded', amount_received: 4000 });
    expect((await stripe.charges.list({ payment_intent: pi.id })).data.map((c) => c.amount_captured)).toEqual([4000]);
  });

  it('pays an intent once under 10 concurrent confirmations', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd' });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const charges = (await stripe.charges.list({ payment_intent: pi.id })).data;
    expect(charges.filter((c) => c.status === 'succeeded')).toHaveLength(1);
    expect((await stripe.paymentIntents.retrieve(pi.id)).amount_received).toBe(3000);
  });

  it('a restricted key keeps its permissions: reads allowed, writes refused with StripePermissionError', async () => {
    const made = await t.api.post('/auth/keys', { type: 'restricted', name: 'reader', permissions: { payments: 'read' } });
    expect(made.status, made.text).toBe(201);
    const reader = stripeSdk(sys.url, made.body.secret as string);
    await expect(reader.paymentIntents.list({ limit: 1 })).resolves.toMatchObject({ object: 'list' });
    const refused = await stripeError(reader.paymentIntents.create({ amount: 1000, currency: 'usd' }));
    expect(refused).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(refused.statusCode).toBe(403);
  });

  it('auto-pagination walks 250 charges, newest first, each once', async () => {
    const shop = await registerTenant(sys.url, 'Many charges');
    const s = stripeSdk(sys.url, shop.sk);
    const made: string[] = [];
    for (let i = 0; i < 250; i++) made.push((await s.paymentIntents.create({ amount: 100 + i, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })).latest_charge as string);
    const walked = await s.charges.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(walked.map((c) => c.id)).toEqual([...made].reverse());
    // And backwards from the oldest, with ending_before.
    const back = await s.charges.list({ limit: 40, ending_before: made[0] }).autoPagingToArray({ limit: 1000 });
    expect(back.map((c) => c.id)).toEqual(made.slice(1));
  });
});

describe('requests a Stripe user sends', () => {
  it('curl -u sk_test_…: (HTTP Basic) works as the Bearer key; no key on a Stripe path is a Stripe 401', async () => {
    const basic = await fetch(`${sys.url}/v1/payment_intents?limit=1`, { headers: { authorization: `Basic ${Buffer.from(`${t.sk}:`).toString('base64')}` } });
    expect(basic.status).toBe(200);
    expect(await basic.json()).toMatchObject({ object: 'list', url: '/v1/payment_intents' });
    const bare = await fetch(`${sys.url}/v1/payment_intents`);
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('expands only expandable fields, whatever a value looks like', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', description: 'constructor_x', metadata: { a: 'hasOwnProperty_x', b: 'pi_00000000000000000000' } });
    for (const path of ['description', 'metadata.a', 'metadata.b', 'client_secret', 'amount', '__proto__']) {
      const err = await stripeError(stripe.paymentIntents.retrieve(pi.id, { expand: [path] }));
      expect(err.statusCode, path).toBe(400);
      expect(err.message, path).toContain('cannot be expanded');
    }
  });

  it('refuses __proto__ parameter names instead of dropping them', async () => {
    const res = await fetch(`${sys.url}/v1/payment_intents`, {
      method: 'POST', headers: { authorization: `Bearer ${t.sk}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=1000&currency=usd&metadata[__proto__][x]=1',
    });
    expect(res.status).toBe(400);
  });

  it('an unknown cursor is a 404 naming it', async () => {
    const err = await stripeError(stripe.paymentIntents.list({ starting_after: 'pi_AAAAAAAAAAAAAAAAAAAA' }));
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'starting_after' });
  });

  it('an order made through Sandpay\'s own API is a PaymentIntent too, and an intent\'s status follows what its order has', async () => {
    const order = await t.api.post('/orders', { amount: 5000, currency: 'USD' }, { headers: { 'idempotency-key': `o-${Date.now()}` } });
    expect(order.status, order.text).toBe(201);
    const pi = `pi_${(order.body.id as string).slice('order_'.length)}`;
    expect(await stripe.paymentIntents.retrieve(pi)).toMatchObject({ id: pi, status: 'requires_payment_method', amount: 5000, currency: 'usd' });
    const held = await stripe.paymentIntents.confirm(pi, { payment_method: 'pm_card_visa' });
    expect(held.status).toBe('succeeded');
    // Its status comes from what the order has, not from its newest attempt: a declined native
    // payment on an order with an open authorization leaves the intent requires_capture.
    const manual = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    const orderId = `order_${manual.id.slice('pi_'.length)}`;
    const declined = await createPayment(t.api, cardBody(CARDS.declined, { order_id: orderId, amount: undefined, currency: undefined }));
    expect(declined.status).toBe('failed');
    expect(await stripe.paymentIntents.retrieve(manual.id)).toMatchObject({ status: 'requires_capture', amount_capturable: 5000, latest_charge: manual.latest_charge });
    expect(await stripe.paymentIntents.capture(manual.id)).toMatchObject({ status: 'succeeded', amount_received: 5000 });
  });
});

import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant } from '../../support/client.ts';
import { eventually } from '../../support/payments.ts';
import { Receiver } from '../../support/receiver.ts';
import { stripeError, stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/** stripe.testHelpers.testClocks through the official SDK, mapped onto the tenant's one clock. */
let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(() => sys?.stop());

const nowS = () => Math.floor(Date.now() / 1000);

describe('stripe.testHelpers.testClocks', () => {
  it('create, retrieve, list, advance (advancing, then ready) and its effect: an uncaptured PaymentIntent is cancelled after 7 days', async () => {
    const t = await registerTenant(sys.url);
    const stripe = stripeSdk(sys.url, t.sk);
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: nowS(), name: 'renewals' });
    expect(clock).toMatchObject({ object: 'test_helpers.test_clock', livemode: false, status: 'ready', name: 'renewals', status_details: {} });
    expect(clock.id).toMatch(/^clock_[0-9A-Za-z]{20}$/);
    expect(Math.abs(clock.frozen_time - nowS())).toBeLessThan(60);
    expect((await stripe.testHelpers.testClocks.retrieve(clock.id)).id).toBe(clock.id);
    expect((await stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toEqual([clock.id]);

    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    expect(pi.status).toBe('requires_capture');

    const target = clock.frozen_time + 8 * 86_400;
    const advancing = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: target });
    expect(advancing.status).toBe('advancing');
    expect(advancing.status_details).toEqual({ advancing: { target_frozen_time: target } });
    const ready = await eventually(() => stripe.testHelpers.testClocks.retrieve(clock.id), (c) => c.status === 'ready', 30_000);
    expect(Math.abs(ready.frozen_time - target)).toBeLessThan(60);

    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('canceled');
    expect(after.cancellation_reason).toBe('automatic');
  });

  it('sends test_helpers.test_clock.ready to a Stripe endpoint, signed so constructEvent accepts it (with real time)', async () => {
    const t = await registerTenant(sys.url);
    const stripe = stripeSdk(sys.url, t.sk);
    const rx = await new Receiver().start();
    try {
      const we = await stripe.webhookEndpoints.create({ url: `${rx.url}/stripe`, enabled_events: ['test_helpers.test_clock.ready'] });
      const clock = await stripe.testHelpers.testClocks.create({ frozen_time: nowS() + 3 * 86_400 });
      expect(clock.status).toBe('advancing');
      await eventually(async () => rx.received.length, (n) => n === 1, 30_000);
      const r = rx.received[0]!;
      const event = stripe.webhooks.constructEvent(r.rawBody, String(r.headers['stripe-signature']), we.secret!);
      expect(event.type).toBe('test_helpers.test_clock.ready');
      expect(event.data.object).toMatchObject({ id: clock.id, object: 'test_helpers.test_clock', status: 'ready' });
      expect(Math.abs((event.data.object as Stripe.TestHelpers.TestClock).frozen_time - (nowS() + 3 * 86_400))).toBeLessThan(60);
    } finally {
      await rx.stop();
    }
  });

  it("refuses a backward advance, another tenant's clock and a delete once the tenant has objects, in Stripe's shapes", async () => {
    const t = await registerTenant(sys.url);
    const other = await registerTenant(sys.url);
    const stripe = stripeSdk(sys.url, t.sk);
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: nowS() });
    const back = await stripeError(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: nowS() - 3600 }));
    expect(back).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(back.param).toBe('frozen_time');

    const theirs = (await stripeSdk(sys.url, other.sk).testHelpers.testClocks.list()).data[0]!.id;
    const missing = await stripeError(stripe.testHelpers.testClocks.retrieve(theirs));
    expect(missing.statusCode).toBe(404);
    expect(missing.message).toMatch(`No such test_clock: '${theirs}'`);

    expect(await stripe.testHelpers.testClocks.del(clock.id)).toEqual({ id: clock.id, object: 'test_helpers.test_clock', deleted: true });
    await stripe.customers.create({ email: 'a@example.com' });
    const inUse = await stripeError(stripe.testHelpers.testClocks.del(clock.id));
    expect(inUse.statusCode).toBe(400);
    expect(inUse.code).toBe('clock_in_use');
  });
});

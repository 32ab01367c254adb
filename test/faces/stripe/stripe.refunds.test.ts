import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { cardBody, createPayment } from '../../support/payments.ts';
import { stripeError, stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * Refunds through stripe-node: the ledger's refunds, on a PaymentIntent's captured charge or a
 * charge, answered `succeeded` at once as Stripe's test mode does for cards.
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

const paid = (amount: number, currency = 'usd', s = stripe) =>
  s.paymentIntents.create({ amount, currency, payment_method: 'pm_card_visa', confirm: true });

describe('Refunds through stripe-node', () => {
  it('a full refund by payment_intent succeeds at once, and the charge and the ledger show it', async () => {
    const pi = await paid(2000);
    const refund = await stripe.refunds.create({ payment_intent: pi.id });
    expect(refund).toMatchObject({ object: 'refund', status: 'succeeded', amount: 2000, currency: 'usd', charge: pi.latest_charge, payment_intent: pi.id, reason: null, metadata: {} });
    expect(refund.id).toMatch(/^re_[0-9A-Za-z]{14}$/);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_captured: 2000, amount_refunded: 2000, refunded: true });
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
    // One ledger: the native API has the refund processed and the payment refunded.
    const native = await t.api.get(`/refunds/${refund.id.replace(/^re_/, 'rfnd_')}`);
    expect(native.body).toMatchObject({ status: 'processed', amount: 2000 });
    expect((await t.api.get(`/payments/${(pi.latest_charge as string).replace(/^ch_/, 'pay_')}`)).body).toMatchObject({ status: 'refunded', amount_refunded: 2000 });
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe('succeeded');
  });

  it('partial refunds by charge: reason and metadata, the rest by default, then charge_already_refunded', async () => {
    const pi = await paid(5000, 'eur');
    const charge = pi.latest_charge as string;
    const first = await stripe.refunds.create({ charge, amount: 1500, reason: 'requested_by_customer', metadata: { ticket: 'T-9' } });
    expect(first).toMatchObject({ status: 'succeeded', amount: 1500, currency: 'eur', reason: 'requested_by_customer', metadata: { ticket: 'T-9' }, payment_intent: pi.id });
    expect(await stripe.charges.retrieve(charge)).toMatchObject({ amount_refunded: 1500, refunded: false });
    const tooMuch = await stripeError(stripe.refunds.create({ charge, amount: 3501 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    const rest = await stripe.refunds.create({ charge });
    expect(rest).toMatchObject({ status: 'succeeded', amount: 3500 });
    expect(await stripe.charges.retrieve(charge)).toMatchObject({ amount_refunded: 5000, refunded: true });
    const again = await stripeError(stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
    expect(again).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
  });

  it('an uncaptured or failed charge is not refundable; a request must name what to refund', async () => {
    const held = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    expect(held.status).toBe('requires_capture');
    const byIntent = await stripeError(stripe.refunds.create({ payment_intent: held.id }));
    expect(byIntent).toMatchObject({ statusCode: 400, code: 'charge_not_refundable' });
    const byCharge = await stripeError(stripe.refunds.create({ charge: held.latest_charge as string }));
    expect(byCharge).toMatchObject({ statusCode: 400, code: 'charge_not_refundable' });

    const declined = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    const card = await stripeError(stripe.paymentIntents.confirm(declined.id, { payment_method: 'pm_card_chargeDeclined' }));
    expect(card).toBeInstanceOf(Stripe.errors.StripeCardError);
    const failed = await stripeError(stripe.refunds.create({ charge: card.charge as string }));
    expect(failed).toMatchObject({ statusCode: 400, code: 'charge_not_refundable' });

    const none = await stripeError(stripe.refunds.create({ amount: 100 }));
    expect(none).toMatchObject({ statusCode: 400, code: 'parameter_missing' });
    const reason = await stripeError(stripe.refunds.create({ payment_intent: held.id, reason: 'changed_mind' as never }));
    expect(reason).toMatchObject({ statusCode: 400, param: 'reason' });
    const missing = await stripeError(stripe.refunds.create({ charge: 'ch_00000000000000000000' }));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'charge' });
  });

  it('a charge the native API made refunds too (no PaymentIntent behind it)', async () => {
    const p = await createPayment(t.api, cardBody(undefined, { amount: 3000, currency: 'USD' }));
    expect(p.status).toBe('success');
    const refund = await stripe.refunds.create({ charge: p.id.replace(/^pay_/, 'ch_'), amount: 1000 });
    expect(refund).toMatchObject({ status: 'succeeded', amount: 1000, charge: p.id.replace(/^pay_/, 'ch_') });
    expect((await t.api.get(`/payments/${p.id}`)).body).toMatchObject({ status: 'partially_refunded', amount_refunded: 1000 });
  });

  it('update merges metadata ("" unsets a key); cancel is Stripe\'s 400 for a succeeded refund', async () => {
    const pi = await paid(1200);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 200, metadata: { a: '1', b: '2' } });
    const updated = await stripe.refunds.update(refund.id, { metadata: { b: '', c: '3' } });
    expect(updated.metadata).toEqual({ a: '1', c: '3' });
    expect((await stripe.refunds.retrieve(refund.id)).metadata).toEqual({ a: '1', c: '3' });
    const bad = await stripeError(stripe.refunds.update(refund.id, { amount: 5 } as never));
    expect(bad).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'amount' });
    const cancel = await stripeError(stripe.refunds.cancel(refund.id));
    expect(cancel).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(cancel.statusCode).toBe(400);
    expect(cancel.message).toContain('requires_action');
    const unknown = await stripeError(stripe.refunds.cancel('re_00000000000000000000'));
    expect(unknown).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('lists newest first, by charge and by payment_intent, by created, with cursors and expand', async () => {
    const shop = await registerTenant(sys.url, 'Refund lister');
    const s = stripeSdk(sys.url, shop.sk);
    const a = await paid(10_000, 'usd', s);
    const b = await paid(10_000, 'usd', s);
    const ofA: string[] = [];
    for (let i = 0; i < 12; i++) ofA.push((await s.refunds.create({ payment_intent: a.id, amount: 100 + i })).id);
    const ofB = [(await s.refunds.create({ charge: b.latest_charge as string, amount: 50 })).id];

    const all = await s.refunds.list({ limit: 5 }).autoPagingToArray({ limit: 100 });
    expect(all.map((r) => r.id)).toEqual([...ofA, ...ofB].reverse());
    const page = await s.refunds.list({ limit: 5 });
    expect(page).toMatchObject({ object: 'list', has_more: true, url: '/v1/refunds' });
    const next = await s.refunds.list({ limit: 5, starting_after: page.data.at(-1)!.id });
    expect(next.data.map((r) => r.id)).toEqual(all.slice(5, 10).map((r) => r.id));
    const before = await s.refunds.list({ limit: 2, ending_before: next.data[0]!.id });
    expect(before.data.map((r) => r.id)).toEqual(all.slice(3, 5).map((r) => r.id));

    expect((await s.refunds.list({ payment_intent: a.id, limit: 100 })).data.map((r) => r.id)).toEqual([...ofA].reverse());
    expect((await s.refunds.list({ charge: b.latest_charge as string })).data.map((r) => r.id)).toEqual(ofB);
    expect((await s.refunds.list({ charge: b.latest_charge as string, payment_intent: a.id })).data).toEqual([]);

    const created = all[0]!.created;
    expect((await s.refunds.list({ created: { gt: created }, limit: 100 })).data).toEqual([]);
    expect((await s.refunds.list({ created: { lte: created }, limit: 100 })).data.length).toBe(13);

    const expanded = await s.refunds.list({ charge: b.latest_charge as string, expand: ['data.charge', 'data.payment_intent'] });
    expect(expanded.data[0]!.charge).toMatchObject({ object: 'charge', id: b.latest_charge, amount_refunded: 50 });
    expect(expanded.data[0]!.payment_intent).toMatchObject({ object: 'payment_intent', id: b.id });
  });

  it('concurrent refunds on one intent never refund more than was captured', async () => {
    const pi = await paid(10_000);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => stripe.refunds.create({ payment_intent: pi.id, amount: 1500 })));
    const ok = results.filter((r): r is PromiseFulfilledResult<Stripe.Response<Stripe.Refund>> => r.status === 'fulfilled').map((r) => r.value);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Stripe.errors.StripeError);
    expect(ok).toHaveLength(6);
    expect(refused.map((e) => e.code)).toEqual(Array(4).fill('amount_too_large'));
    expect(ok.every((r) => r.status === 'succeeded')).toBe(true);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 9000, refunded: false });

    // Whole-amount refunds racing: one wins, the rest find the charge refunded.
    const whole = await paid(4000);
    const race = await Promise.allSettled(Array.from({ length: 5 }, () => stripe.refunds.create({ payment_intent: whole.id })));
    const won = race.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(race.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as Stripe.errors.StripeError).code)).toEqual(Array(4).fill('charge_already_refunded'));
    expect(await stripe.charges.retrieve(whole.latest_charge as string)).toMatchObject({ amount_refunded: 4000, refunded: true });
  });

  it('another tenant\'s refunds, charges and intents are resource_missing', async () => {
    const pi = await paid(3000);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
    const other = stripeSdk(sys.url, (await registerTenant(sys.url, 'Other shop')).sk);
    for (const call of [
      () => other.refunds.retrieve(refund.id),
      () => other.refunds.update(refund.id, { metadata: { x: '1' } }),
      () => other.refunds.create({ payment_intent: pi.id }),
      () => other.refunds.create({ charge: pi.latest_charge as string }),
      () => other.refunds.list({ charge: pi.latest_charge as string }),
      () => other.refunds.list({ payment_intent: pi.id }),
    ]) {
      const err = await stripeError(call());
      expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    }
    expect((await other.refunds.list()).data).toEqual([]);
    expect(await stripe.charges.retrieve(pi.latest_charge as string)).toMatchObject({ amount_refunded: 100 });
  });
});

import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { CliProcess, runCli } from '../../support/cli.ts';
import { CARDS, cardBody, createPayment, eventually } from '../../support/payments.ts';
import { Receiver, type Received } from '../../support/receiver.ts';
import { stripeError, stripeSdk } from '../../support/stripe.ts';
import { stripeWebhookFace } from '../../../src/faces/stripe/webhook-face.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * Webhooks as Stripe sends them: endpoints made with stripe.webhookEndpoints get Stripe Events
 * that stripe.webhooks.constructEvent accepts, through Sandpay's own outbox and retries; the
 * Events API shows the same objects; Sandpay-Fault tells stripe-node when a retry is safe.
 */
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;
let rx: Receiver;
let secret: string;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  stripe = stripeSdk(sys.url, t.sk);
  rx = await new Receiver().start();
  const we = await stripe.webhookEndpoints.create({ url: `${rx.url}/stripe`, enabled_events: ['*'] });
  secret = we.secret!;
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await rx?.stop();
  await sys?.stop();
});

type StripeEventBody = { id: string; type: string; api_version: string; data: { object: Record<string, any>; previous_attributes?: Record<string, unknown> } };

/** The events of `type` about `objectId` (the object itself, or its payment_intent) that `r` received, once there are `n`. */
function deliveries(r: Receiver, type: string, objectId: string, n = 1): Promise<Received[]> {
  const about = (o: Record<string, any>) => o.id === objectId || o.payment_intent === objectId;
  return eventually(async () => r.received.filter((x) => x.body?.type === type && about(x.body.data.object)), (xs) => xs.length >= n);
}

/** Verified as an integration verifies it: the raw body, the header, the endpoint's secret. */
function verified(r: Received, whsec = secret): StripeEventBody {
  return stripe.webhooks.constructEvent(r.rawBody, String(r.headers['stripe-signature']), whsec) as unknown as StripeEventBody;
}

const timestampOf = (r: Received) => Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(String(r.headers['stripe-signature']))![1]);

/** The ids of `events` are distinct, each one's `stripe.events.retrieve` is what was delivered, and `stripe.events.list` of its type shows it. */
async function retrievableAndListed(events: StripeEventBody[]): Promise<void> {
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  for (const e of events) {
    expect(e.id).toMatch(/^evt_[0-9A-Za-z]{20,21}$/);
    const retrieved = await stripe.events.retrieve(e.id);
    expect(JSON.parse(JSON.stringify(retrieved))).toEqual({ ...e, pending_webhooks: 0 });
    const listed = await stripe.events.list({ type: e.type, limit: 100 });
    expect(listed.data.filter((x) => x.id === e.id)).toHaveLength(1);
    expect(listed.data.every((x) => x.type === e.type)).toBe(true);
  }
}

describe('Stripe-format deliveries', () => {
  it('create+confirm: payment_intent.created, charge.succeeded and payment_intent.succeeded, each its own event, signed so constructEvent accepts it, as events.retrieve and events.list show it', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { order: '42' } });
    const [r] = await deliveries(rx, 'payment_intent.succeeded', pi.id);
    const event = verified(r!);
    expect(event).toMatchObject({
      object: 'event', type: 'payment_intent.succeeded', api_version: Stripe.API_VERSION, livemode: false, pending_webhooks: 1,
      // The call that raised it; Sandpay keeps no idempotency key with an event.
      request: { id: pi.lastResponse.requestId, idempotency_key: null },
      data: { object: { id: pi.id, object: 'payment_intent', status: 'succeeded', amount: 2000, amount_received: 2000, currency: 'usd', latest_charge: pi.latest_charge, metadata: { order: '42' } } },
    });
    expect(event.id).toMatch(/^evt_/);
    expect(r!.headers['content-type']).toMatch(/^application\/json/);
    // A changed body, or another secret, does not verify.
    expect(() => stripe.webhooks.constructEvent(r!.rawBody.replace('"amount": 2000', '"amount": 1'), String(r!.headers['stripe-signature']), secret)).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => verified(r!, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);

    const created = verified((await deliveries(rx, 'payment_intent.created', pi.id))[0]!);
    expect(created.data.object).toMatchObject({ id: pi.id, object: 'payment_intent', status: 'requires_payment_method', amount: 2000, currency: 'usd', amount_received: 0, latest_charge: null, metadata: { order: '42' } });
    const charged = verified((await deliveries(rx, 'charge.succeeded', pi.id))[0]!);
    expect(charged.data.object).toMatchObject({ id: pi.latest_charge, object: 'charge', status: 'succeeded', captured: true, amount_captured: 2000, paid: true, payment_intent: pi.id });
    // Each once, and nothing else about this intent.
    const mine = rx.received.filter((x) => x.body.data.object.id === pi.id || x.body.data.object.payment_intent === pi.id);
    expect(mine.map((x) => x.body.type).sort()).toEqual(['charge.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
    await retrievableAndListed([created, charged, event]);
    // Newest first: the PaymentIntent's success after its Charge's, both after its creation.
    const ids = (await stripe.events.list({ types: ['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded'], limit: 3 })).data.map((e) => e.id);
    expect(ids).toEqual([event.id, charged.id, created.id]);
    // The charge carries the PaymentIntent's metadata, as Stripe copies it.
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).metadata).toEqual({ order: '42' });
  });

  it('a decline: charge.failed, then payment_intent.payment_failed with the decline as last_payment_error', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd' });
    await stripeError(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }));
    const event = verified((await deliveries(rx, 'payment_intent.payment_failed', pi.id))[0]!);
    expect(event.data.object).toMatchObject({
      id: pi.id, status: 'requires_payment_method', amount_received: 0,
      last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' },
    });
    const charge = verified((await deliveries(rx, 'charge.failed', pi.id))[0]!);
    expect(charge.data.object).toMatchObject({ object: 'charge', status: 'failed', paid: false, captured: false, failure_code: 'card_declined', payment_intent: pi.id });
    expect(charge.id).not.toBe(event.id);
    await retrievableAndListed([charge, event]);
  });

  it('manual capture: charge.succeeded (not captured) and amount_capturable_updated, then charge.captured and succeeded; a cancel is payment_intent.canceled alone', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'eur', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    const held = verified((await deliveries(rx, 'payment_intent.amount_capturable_updated', pi.id))[0]!);
    expect(held.data.object).toMatchObject({ status: 'requires_capture', amount_capturable: 5000, amount_received: 0, capture_method: 'manual' });
    const authorized = verified((await deliveries(rx, 'charge.succeeded', pi.id))[0]!);
    expect(authorized.data.object).toMatchObject({ object: 'charge', status: 'succeeded', captured: false, amount_captured: 0, payment_intent: pi.id });
    await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 3000 });
    const done = verified((await deliveries(rx, 'payment_intent.succeeded', pi.id))[0]!);
    expect(done.data.object).toMatchObject({ status: 'succeeded', amount_received: 3000, amount_capturable: 0 });
    const captured = verified((await deliveries(rx, 'charge.captured', pi.id))[0]!);
    expect(captured.data.object).toMatchObject({ object: 'charge', captured: true, amount_captured: 3000, payment_intent: pi.id });
    // Captured after its authorization: charge.captured, never a second charge.succeeded.
    expect(rx.received.filter((x) => x.body.type === 'charge.succeeded' && x.body.data.object.payment_intent === pi.id)).toHaveLength(1);
    await retrievableAndListed([authorized, held, captured, done]);

    const other = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    await stripe.paymentIntents.cancel(other.id);
    const canceled = verified((await deliveries(rx, 'payment_intent.canceled', other.id))[0]!);
    expect(canceled.data.object).toMatchObject({ id: other.id, status: 'canceled', last_payment_error: null });
    const about = (type: string) => rx.received.filter((x) => x.body?.type === type && (x.body.data.object.id === other.id || x.body.data.object.payment_intent === other.id));
    expect([...about('payment_intent.payment_failed'), ...about('charge.failed')]).toEqual([]);
  });

  it('a payment left waiting: payment_intent.requires_action for a 3-D Secure challenge; charge.pending and payment_intent.processing for one in processing', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1800, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true });
    expect(pi.status).toBe('requires_action');
    const action = verified((await deliveries(rx, 'payment_intent.requires_action', pi.id))[0]!);
    expect(action.data.object).toMatchObject({ id: pi.id, status: 'requires_action' });

    // A payment made through Sandpay's own API that stays pending is its own PaymentIntent, processing.
    const pending = await createPayment(t.api, cardBody(CARDS.stayPending));
    const intentId = `pi_${pending.id.slice('pay_'.length)}`;
    const processing = verified((await deliveries(rx, 'payment_intent.processing', intentId))[0]!);
    expect(processing.data.object).toMatchObject({ id: intentId, status: 'processing' });
    const charge = verified((await deliveries(rx, 'charge.pending', `ch_${pending.id.slice('pay_'.length)}`))[0]!);
    expect(charge.data.object).toMatchObject({ object: 'charge', status: 'pending', paid: false });
    await retrievableAndListed([action, charge, processing]);
    // A payment settled as it is made has no events of its own creation.
    const settled = await stripe.paymentIntents.create({ amount: 1900, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await deliveries(rx, 'payment_intent.succeeded', settled.id);
    const about = rx.received.filter((x) => x.body.data.object.id === settled.id || x.body.data.object.payment_intent === settled.id).map((x) => x.body.type);
    expect(about.filter((type) => ['payment_intent.processing', 'payment_intent.requires_action', 'charge.pending'].includes(type))).toEqual([]);
  });

  it('a refund: refund.created, charge.refunded with the Charge, refund.updated and charge.refund.updated (was pending)', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    const created = verified((await deliveries(rx, 'refund.created', refund.id))[0]!);
    expect(created.data.object).toMatchObject({ id: refund.id, object: 'refund', amount: 1000, charge: pi.latest_charge, payment_intent: pi.id });
    const updated = verified((await deliveries(rx, 'refund.updated', refund.id))[0]!);
    expect(updated.data).toMatchObject({ object: { id: refund.id, status: 'succeeded' }, previous_attributes: { status: 'pending' } });
    const chargeRefund = verified((await deliveries(rx, 'charge.refund.updated', refund.id))[0]!);
    expect(chargeRefund.data).toMatchObject({ object: { id: refund.id, object: 'refund', status: 'succeeded', charge: pi.latest_charge }, previous_attributes: { status: 'pending' } });
    const charged = verified((await deliveries(rx, 'charge.refunded', pi.id))[0]!);
    expect(charged.data.object).toMatchObject({ id: pi.latest_charge, object: 'charge', amount_refunded: 1000, refunded: false, payment_intent: pi.id });
    await retrievableAndListed([created, charged, updated, chargeRefund]);
  });

  it('an endpoint that lists charge.succeeded alone gets only that, once per payment', async () => {
    const onlyRx = await new Receiver().start();
    cleanups.push(() => onlyRx.stop());
    const we = await stripe.webhookEndpoints.create({ url: `${onlyRx.url}/charges`, enabled_events: ['charge.succeeded'] });
    const pi = await stripe.paymentIntents.create({ amount: 1300, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const [r] = await deliveries(onlyRx, 'charge.succeeded', pi.id);
    expect(verified(r!, we.secret).data.object).toMatchObject({ object: 'charge', payment_intent: pi.id });
    // Everything else about it has gone to the '*' endpoint by now.
    await deliveries(rx, 'payment_intent.succeeded', pi.id);
    await deliveries(rx, 'payment_intent.created', pi.id);
    expect(onlyRx.received.map((x) => x.body.type)).toEqual(['charge.succeeded']);
    // The delivery says which name it carries; a retry of it sends that name again.
    const listed = await eventually(() => t.api.get(`/webhook-deliveries?endpoint_id=${we.id}`), (res) => res.body.data[0]?.status === 'delivered');
    expect(listed.body.data.map((d: { event_type: string }) => d.event_type)).toEqual(['charge.succeeded']);
    await t.api.post(`/webhook-deliveries/${listed.body.data[0].id}/retry`, {});
    const again = await deliveries(onlyRx, 'charge.succeeded', pi.id, 2);
    expect(again[1]!.rawBody).toBe(again[0]!.rawBody);
    // A resend of the ledger event goes out under the names each endpoint wants: this one charge.succeeded,
    // the '*' one both.
    const success = (await t.api.get(`/events?object_id=pay_${(pi.latest_charge as string).slice('ch_'.length)}&type=payment.success`)).body.data[0];
    const toOne = await t.api.post(`/events/${success.id}/resend`, { endpoint_id: we.id });
    expect(toOne.body.deliveries.map((d: { event_type: string }) => d.event_type)).toEqual(['charge.succeeded']);
    const toAll = await t.api.post(`/events/${success.id}/resend`, {});
    expect(toAll.body.deliveries.filter((d: { endpoint_id: string }) => d.endpoint_id === we.id).map((d: { event_type: string }) => d.event_type)).toEqual(['charge.succeeded']);
    expect(toAll.body.deliveries.map((d: { event_type: string }) => d.event_type).sort()).toEqual(expect.arrayContaining(['charge.succeeded', 'charge.succeeded', 'payment_intent.succeeded']));
    const third = await deliveries(onlyRx, 'charge.succeeded', pi.id, 4);
    expect(new Set(third.map((r) => verified(r, we.secret).id)).size).toBe(1);
  });

  it('an endpoint gets only the events it lists, in the api_version it pinned', async () => {
    const pinnedRx = await new Receiver().start();
    cleanups.push(() => pinnedRx.stop());
    const we = await stripe.webhookEndpoints.create({ url: `${pinnedRx.url}/old`, enabled_events: ['payment_intent.succeeded'], api_version: '2023-10-16' });
    expect(we.api_version).toBe('2023-10-16');
    const declined = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' });
    await stripeError(stripe.paymentIntents.confirm(declined.id, { payment_method: 'pm_card_chargeDeclined' }));
    const pi = await stripe.paymentIntents.create({ amount: 800, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const event = verified((await deliveries(pinnedRx, 'payment_intent.succeeded', pi.id))[0]!, we.secret);
    expect(event.api_version).toBe('2023-10-16');
    // The decline went to the '*' endpoint, never to this one.
    await deliveries(rx, 'payment_intent.payment_failed', declined.id);
    expect(pinnedRx.received.map((x) => x.body.type)).toEqual(['payment_intent.succeeded']);
  });

  it('every attempt is signed with its own time: retries, then a replay from the dead-letter queue', async () => {
    const flakyRx = await new Receiver().start();
    cleanups.push(() => flakyRx.stop());
    // Each event fails three times (WEBHOOK_RETRY_SCHEDULE 1,1: then it is dead), and is taken once replayed.
    const tries = new Map<string, number>();
    flakyRx.respond = (r) => {
      const n = (tries.get(r.body.id) ?? 0) + 1;
      tries.set(r.body.id, n);
      return { status: n <= 3 ? 500 : 200 };
    };
    const we = await stripe.webhookEndpoints.create({ url: `${flakyRx.url}/flaky`, enabled_events: ['payment_intent.succeeded'] });
    const pi = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const failed = await deliveries(flakyRx, 'payment_intent.succeeded', pi.id, 3);
    const dead = await eventually(() => t.api.get(`/webhook-deliveries?endpoint_id=${we.id}&status=dead`), (res) => res.body.data.length === 1);
    expect(dead.body.data[0]).toMatchObject({ attempt_count: 3, status: 'dead' });
    const replay = await t.api.post('/webhook-deliveries/replay', { endpoint_id: we.id });
    expect(replay.body.requeued).toBe(1);
    const all = await deliveries(flakyRx, 'payment_intent.succeeded', pi.id, 4);

    const events = all.map((r) => verified(r, we.secret));
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(all.every((r) => r.rawBody === all[0]!.rawBody)).toBe(true);
    // Retries come a second or more apart, each with its own t; the replay is signed when it is sent.
    const times = failed.map(timestampOf);
    expect(times[1]).toBeGreaterThan(times[0]!);
    expect(times[2]).toBeGreaterThan(times[1]!);
    expect(timestampOf(all[3]!)).toBeGreaterThanOrEqual(times[2]!);
    expect(all.map((r) => r.headers['x-sandpay-attempt'])).toEqual(['1', '2', '3', '4']);
  });
});

describe('the Stripe webhook face on its own', () => {
  it('renders a hosted checkout session as checkout.session.completed, and a payment made without an order as its own PaymentIntent', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const session = {
      id: 'cs_0123456789abcdefghij', object: 'checkout.session', status: 'complete', url: 'http://127.0.0.1:3000/checkout/cs_0123456789abcdefghij',
      order_id: 'order_0123456789abcdefghij', payment_id: 'pay_0123456789abcdefghij', amount: 5000, currency: 'INR', methods: ['card'],
      success_url: 'https://shop.example/ok', cancel_url: null, prefill: { email: 'a@example.com' }, name: null, description: null, metadata: { cart: 7 },
      expires_at: now.toISOString(), completed_at: now.toISOString(), created_at: now.toISOString(),
    };
    const rendered = stripeWebhookFace.render({
      secret: 'whsec_test', tenantId: 'ten_x', paymentSnapshot: null, name: 'checkout.session.completed', names: ['checkout.session.completed'],
      event: { id: 'evt_1', type: 'checkout.session.completed', created_at: now, payload: session },
    })!;
    const event = stripe.webhooks.constructEvent(rendered.body, rendered.headers['stripe-signature']!, 'whsec_test') as unknown as StripeEventBody;
    expect(event).toMatchObject({
      type: 'checkout.session.completed', created: Math.floor(now.getTime() / 1000),
      data: { object: { id: session.id, object: 'checkout.session', status: 'complete', payment_status: 'paid', amount_total: 5000, currency: 'inr', payment_intent: 'pi_0123456789abcdefghij', metadata: { cart: '7' }, customer_details: { email: 'a@example.com' }, url: null } },
    });

    const payment = {
      id: 'pay_abcdefghij0123456789', object: 'payment', amount: 900, currency: 'INR', status: 'failed', method: 'upi', vpa: 'failure@sandpay', capture_method: 'automatic',
      amount_captured: 0, amount_refunded: 0, order_id: null, failure_code: 'payment_declined', failure_message: 'declined', fraud: null, description: null, customer_email: null,
      billing: { country: null }, metadata: {}, webhook_url: null, livemode: false, expires_at: null, authorized_at: null, captured_at: null, created_at: now.toISOString(), updated_at: now.toISOString(),
    };
    const names = stripeWebhookFace.eventNames({ type: 'payment.failed', object: payment });
    expect(names).toEqual(['charge.failed', 'payment_intent.payment_failed']);
    expect(stripeWebhookFace.eventNames({ type: 'payment.failed', object: { ...payment, failure_code: 'payment_cancelled' } })).toEqual(['payment_intent.canceled']);
    // payment.created: by what the payment awaits, which its object does not say; nothing when it settled at once.
    expect(stripeWebhookFace.eventNames({ type: 'payment.created', object: payment })).toEqual([]);
    expect(stripeWebhookFace.eventNames({ type: 'payment.created', object: payment, awaits: 'nothing' })).toEqual([]);
    expect(stripeWebhookFace.eventNames({ type: 'payment.created', object: payment, awaits: 'three_ds_challenge' })).toEqual(['payment_intent.requires_action']);
    expect(stripeWebhookFace.eventNames({ type: 'payment.created', object: payment, awaits: 'processing' })).toEqual(['charge.pending', 'payment_intent.processing']);
    expect(stripeWebhookFace.eventNames({ type: 'payment.success', object: { ...payment, authorized_at: now.toISOString() } })).toEqual(['charge.captured', 'payment_intent.succeeded']);
    expect(stripeWebhookFace.eventNames({ type: 'fraud.detected', object: payment })).toEqual([]);
    const render = (name: string) => JSON.parse(stripeWebhookFace.render({
      secret: 'whsec_test', tenantId: 'ten_x', paymentSnapshot: null, apiVersion: '2024-06-20', name, names,
      event: { id: 'evt_0123456789ABCDEFGHIJ', type: 'payment.failed', created_at: now, payload: payment },
    })!.body);
    const failed = render('payment_intent.payment_failed');
    expect(failed).toMatchObject({ id: 'evt_0123456789ABCDEFGHIJ2', type: 'payment_intent.payment_failed', api_version: '2024-06-20', data: { object: { id: 'pi_abcdefghij0123456789', status: 'requires_payment_method', latest_charge: 'ch_abcdefghij0123456789', currency: 'inr' } } });
    expect(render('charge.failed')).toMatchObject({ id: 'evt_0123456789ABCDEFGHIJ', type: 'charge.failed', data: { object: { id: 'ch_abcdefghij0123456789', object: 'charge', status: 'failed' } } });
  });
});

describe('Events API (Stripe)', () => {
  it('lists events by type (with * patterns), types[] and created, newest first; retrieves one; other events are not Stripe\'s', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await stripe.refunds.create({ payment_intent: pi.id });
    const canceled = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    await stripe.paymentIntents.cancel(canceled.id);

    const intents = await stripe.events.list({ type: 'payment_intent.*', limit: 2 }).autoPagingToArray({ limit: 1000 });
    expect(intents.length).toBeGreaterThanOrEqual(3);
    expect(intents.every((e) => e.type.startsWith('payment_intent.'))).toBe(true);
    expect(new Set(intents.map((e) => e.id)).size).toBe(intents.length);
    expect(intents.map((e) => e.created)).toEqual([...intents.map((e) => e.created)].sort((a, b) => b - a));
    expect(intents.some((e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === pi.id)).toBe(true);

    const cancels = await stripe.events.list({ type: 'payment_intent.canceled' });
    expect(cancels.data.map((e) => (e.data.object as { id: string }).id)).toContain(canceled.id);
    const failures = await stripe.events.list({ type: 'payment_intent.payment_failed', limit: 100 });
    expect(failures.data.map((e) => (e.data.object as { id: string }).id)).not.toContain(canceled.id);

    const ofPi = (e: Stripe.Event) => (e.data.object as { payment_intent?: string }).payment_intent === pi.id;
    // The refund settles with its request here; waited for all the same, as a refund may settle later.
    const refunds = await eventually(() => stripe.events.list({ types: ['charge.refunded', 'refund.updated'], limit: 100 }), (l) => l.data.filter(ofPi).length === 2);
    expect(new Set(refunds.data.map((e) => e.type))).toEqual(new Set(['charge.refunded', 'refund.updated']));
    const charged = refunds.data.find((e) => e.type === 'charge.refunded' && ofPi(e))!;
    expect(charged.data.object).toMatchObject({ object: 'charge', refunded: true, amount_refunded: 3000 });

    const later = Math.floor(Date.now() / 1000) + 3600;
    expect((await stripe.events.list({ created: { gte: later } })).data).toEqual([]);
    const all = await stripe.events.list({ created: { lt: later }, limit: 3 });
    expect(all.data).toHaveLength(3);
    expect(all.has_more).toBe(true);

    // Paging walks every Stripe event once, a page boundary falling between two names of one
    // ledger event as anywhere else; ending_before gives the ones just before a cursor.
    const whole = (await stripe.events.list({ limit: 100 })).data.map((e) => e.id);
    expect(whole.length).toBeGreaterThan(20);
    expect(whole.length).toBeLessThan(100);
    for (const limit of [1, 2, 3]) {
      expect((await stripe.events.list({ limit }).autoPagingToArray({ limit: 1000 })).map((e) => e.id)).toEqual(whole);
    }
    for (const at of [5, 6, 7]) {
      const before = await stripe.events.list({ ending_before: whole[at]!, limit: 3 });
      expect(before.data.map((e) => e.id)).toEqual(whole.slice(at - 3, at));
      expect(before.has_more).toBe(true);
      expect((await stripe.events.list({ starting_after: whole[at]!, limit: 2 })).data.map((e) => e.id)).toEqual(whole.slice(at + 1, at + 3));
    }
    expect((await stripe.events.list({ ending_before: whole[1]!, limit: 3 }))).toMatchObject({ data: [{ id: whole[0] }], has_more: false });

    // payment.created of a payment settled at once has no Stripe name: not an event of this API;
    // nor is a name a ledger event does not have.
    const native = (await t.api.get('/events?type=payment.created&limit=1')).body.data[0];
    const missing = await stripeError(stripe.events.retrieve(native.id));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', message: expect.stringContaining(`No such event: '${native.id}'`) });
    const refunded = (await t.api.get('/events?type=refund.processed&limit=1')).body.data[0];
    expect((await stripe.events.retrieve(`${refunded.id}2`)).type).toBe('charge.refund.updated');
    for (const id of [`${refunded.id}3`, `${refunded.id}1`, `${refunded.id}0`]) {
      expect(await stripeError(stripe.events.retrieve(id))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    }
    expect(await stripeError(stripe.events.list({ starting_after: `${refunded.id}3` }))).toMatchObject({ statusCode: 404, param: 'starting_after' });
    const bad = await stripeError(stripe.events.list({ type: 'payment_intent.succeeded', types: ['refund.created'] }));
    expect(bad).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });
});

describe('tenant isolation', () => {
  it("another tenant's events and endpoints are resource_missing, and never in its lists", async () => {
    const other = await registerTenant(sys.url);
    const theirs = stripeSdk(sys.url, other.sk);
    const mine = (await stripe.events.list({ limit: 1 })).data[0]!;
    expect(await stripeError(theirs.events.retrieve(mine.id))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect((await theirs.events.list({ limit: 100 })).data).toEqual([]);
    const we = await stripe.webhookEndpoints.create({ url: `${rx.url}/mine`, enabled_events: ['refund.created'] });
    for (const call of [() => theirs.webhookEndpoints.retrieve(we.id), () => theirs.webhookEndpoints.update(we.id, { disabled: true }), () => theirs.webhookEndpoints.del(we.id)]) {
      expect(await stripeError(call())).toMatchObject({ statusCode: 404, code: 'resource_missing', message: expect.stringContaining(`No such webhook_endpoint: '${we.id}'`) });
    }
    expect((await theirs.webhookEndpoints.list()).data).toEqual([]);
    expect((await stripe.webhookEndpoints.retrieve(we.id)).status).toBe('enabled');
  });
});

describe('WebhookEndpoints (Stripe)', () => {
  it('create answers the secret once; retrieve, update, list and del are views of the native endpoint', async () => {
    const tenant = await registerTenant(sys.url);
    const api = stripeSdk(sys.url, tenant.sk);
    const key = `we-${Date.now()}`;
    const we = await api.webhookEndpoints.create(
      { url: 'http://127.0.0.1:9/a', enabled_events: ['payment_intent.succeeded', 'charge.refunded'], description: 'Orders', metadata: { team: 'shop', n: 1 } as never },
      { idempotencyKey: key },
    );
    expect(we).toMatchObject({
      object: 'webhook_endpoint', url: 'http://127.0.0.1:9/a', enabled_events: ['payment_intent.succeeded', 'charge.refunded'], status: 'enabled', api_version: null,
      description: 'Orders', metadata: { team: 'shop', n: '1' }, livemode: false, application: null,
    });
    expect(we.id).toMatch(/^we_/);
    expect(we.secret).toMatch(/^whsec_/);
    // A replay of the create answers without the secret (it may have been rotated since).
    const replayed = await api.webhookEndpoints.create({ url: 'http://127.0.0.1:9/a', enabled_events: ['payment_intent.succeeded', 'charge.refunded'], description: 'Orders', metadata: { team: 'shop', n: 1 } as never }, { idempotencyKey: key });
    expect(replayed.id).toBe(we.id);
    expect(replayed.secret).toBeUndefined();
    expect((await api.webhookEndpoints.retrieve(we.id)).secret).toBeUndefined();

    const updated = await api.webhookEndpoints.update(we.id, { url: 'http://127.0.0.1:9/b', enabled_events: ['*'], disabled: true, description: '', metadata: { team: '', env: 'test' } });
    expect(updated).toMatchObject({ url: 'http://127.0.0.1:9/b', enabled_events: ['*'], status: 'disabled', description: null, metadata: { n: '1', env: 'test' } });
    expect((await api.webhookEndpoints.update(we.id, { disabled: false })).status).toBe('enabled');
    // The native API shows the same endpoint, of format stripe.
    expect((await tenant.api.get(`/webhook-endpoints/${we.id}`)).body).toMatchObject({ format: 'stripe', url: 'http://127.0.0.1:9/b', events: ['*'], enabled: true });

    const native = (await tenant.api.post('/webhook-endpoints', { url: 'http://127.0.0.1:9/native', events: ['payment.success'] })).body;
    const more = [await api.webhookEndpoints.create({ url: 'http://127.0.0.1:9/c', enabled_events: ['refund.created'] }), await api.webhookEndpoints.create({ url: 'http://127.0.0.1:9/d', enabled_events: ['refund.failed'] })];
    const listed = await api.webhookEndpoints.list({ limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(listed.map((e) => e.id)).toEqual([more[1]!.id, more[0]!.id, we.id]);
    expect(await stripeError(api.webhookEndpoints.retrieve(native.id))).toMatchObject({ statusCode: 404, code: 'resource_missing' });

    expect(await api.webhookEndpoints.del(we.id)).toMatchObject({ id: we.id, object: 'webhook_endpoint', deleted: true });
    expect(await stripeError(api.webhookEndpoints.retrieve(we.id))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect((await api.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([more[1]!.id, more[0]!.id]);
  });

  it('refuses event names Stripe has not, a missing url and unknown parameters in Stripe\'s shape', async () => {
    const unknownEvent = await stripeError(stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/x', enabled_events: ['payment_intent.succeeded', 'payment.success' as never] }));
    expect(unknownEvent).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unknownEvent).toMatchObject({ statusCode: 400, param: 'enabled_events[1]' });
    const noUrl = await stripeError(stripe.webhookEndpoints.create({ enabled_events: ['*'] } as never));
    expect(noUrl).toMatchObject({ statusCode: 400, param: 'url' });
    const unknownParam = await stripeError(stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/x', enabled_events: ['*'], colour: 'blue' } as never));
    expect(unknownParam).toMatchObject({ statusCode: 400, param: 'colour' });
    const badVersion = await stripeError(stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/x', enabled_events: ['*'], api_version: 'yesterday' as never }));
    expect(badVersion).toMatchObject({ statusCode: 400, param: 'api_version' });
  });
});

describe('Sandpay-Fault on Stripe requests', () => {
  /** stripe-node whose first request carries `fault`, recording each answer's status and Stripe-Should-Retry. */
  function flakySdk(key: string, fault: string) {
    const base = Stripe.createNodeHttpClient();
    const answers: Array<{ status: number; retry: unknown }> = [];
    let first = true;
    const client = Object.create(base) as typeof base;
    client.makeRequest = async (host, port, path, method, headers, data, protocol, timeout) => {
      const withFault = first ? { ...headers, 'Sandpay-Fault': fault } : headers;
      first = false;
      const res = await base.makeRequest(host, port, path, method, withFault, data, protocol, timeout);
      answers.push({ status: res.getStatusCode(), retry: (res.getHeaders() as Record<string, unknown>)['stripe-should-retry'] });
      return res;
    };
    const u = new URL(sys.url);
    const sdk = new Stripe(key, { host: u.hostname, port: Number(u.port), protocol: 'http', httpClient: client, maxNetworkRetries: 2, telemetry: false });
    return { sdk, answers };
  }

  it('a 503 before any work says Stripe-Should-Retry: true, and the SDK\'s retry charges once', async () => {
    const tenant = await registerTenant(sys.url);
    const { sdk, answers } = flakySdk(tenant.sk, 'status=503');
    const pi = await sdk.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    expect(pi.status).toBe('succeeded');
    expect(answers).toEqual([{ status: 503, retry: 'true' }, { status: 200, retry: undefined }]);
    expect((await sdk.paymentIntents.list()).data.map((x) => x.id)).toEqual([pi.id]);
    expect((await sdk.charges.list({ payment_intent: pi.id })).data).toHaveLength(1);
  });

  it('a response lost after commit is retried with the same Idempotency-Key and replayed, never charged twice', async () => {
    const tenant = await registerTenant(sys.url);
    const { sdk, answers } = flakySdk(tenant.sk, 'after_commit=503');
    const pi = await sdk.paymentIntents.create({ amount: 2100, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    expect(answers).toEqual([{ status: 503, retry: 'true' }, { status: 200, retry: undefined }]);
    expect(pi.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await sdk.paymentIntents.list()).data.map((x) => x.id)).toEqual([pi.id]);
    expect((await sdk.charges.list({ payment_intent: pi.id })).data).toHaveLength(1);
  });

  it('a write without an Idempotency-Key that committed says Stripe-Should-Retry: false', async () => {
    const we = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/gone', enabled_events: ['*'] });
    const res = await fetch(`${sys.url}/v1/webhook_endpoints/${we.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${t.sk}`, 'sandpay-fault': 'after_commit=503' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('stripe-should-retry')).toBe('false');
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ type: 'api_error', code: 'injected_fault' });
    expect(await stripeError(stripe.webhookEndpoints.retrieve(we.id))).toMatchObject({ statusCode: 404 });
  });
});

describe('sandpay listen and trigger --format stripe', () => {
  it('forwards Stripe events picked by Stripe names, verified with the printed secret; trigger speaks Stripe names', async () => {
    const tenant = await registerTenant(sys.url);
    const env = { SANDPAY_URL: sys.url, SANDPAY_API_KEY: tenant.sk };
    const local = await new Receiver().start();
    cleanups.push(() => local.stop());
    const cli = new CliProcess(['listen', '--forward-to', local.url, '--format', 'stripe', '--events', 'payment_intent.*'], env);
    cleanups.push(() => cli.kill());
    const [, whsec] = await cli.waitFor(/Ready! Your webhook signing secret is (whsec_\S+)/);

    const api = stripeSdk(sys.url, tenant.sk);
    const pi = await api.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await api.refunds.create({ payment_intent: pi.id }); // refund.* and charge.refunded: not asked for
    const [r] = await deliveries(local, 'payment_intent.succeeded', pi.id);
    expect(verified(r!, whsec).data.object.id).toBe(pi.id);
    const last = await api.paymentIntents.create({ amount: 1100, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await deliveries(local, 'payment_intent.succeeded', last.id);
    // Each intent's creation (order.created) and success (payment.success's second name); its
    // charge.succeeded, the refund's events and charge.refunded were not asked for.
    expect(local.received.map((x) => x.body.type)).toEqual(['payment_intent.created', 'payment_intent.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
    expect(local.received.map((x) => verified(x, whsec).data.object.id)).toEqual([pi.id, pi.id, last.id, last.id]);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);

    const list = await runCli(['trigger', '--list', '--format', 'stripe']);
    expect(list.stdout).toMatch(/^payment_intent\.succeeded\s+a successful card payment$/m);
    expect(list.stdout).toMatch(/^charge\.refunded\s/m);
    const triggered = await runCli(['trigger', 'payment_intent.payment_failed', '--format', 'stripe'], env);
    expect(triggered.code, triggered.stderr).toBe(0);
    expect((await api.events.list({ type: 'payment_intent.payment_failed' })).data).toHaveLength(1);
    const unknown = await runCli(['trigger', 'payment.success', '--format', 'stripe'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/sandpay trigger --list --format stripe/);
  }, 60_000);
});

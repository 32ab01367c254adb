import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previousAttributesOf } from '../../../src/faces/stripe/object-events.ts';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { eventually } from '../../support/payments.ts';
import { Receiver, type Received } from '../../support/receiver.ts';
import { stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * Events of objects only Stripe's API has (customers, payment methods, the catalog): a Stripe
 * endpoint gets them through the outbox, signed, with previous_attributes on updates and the
 * Request-Id of the call that raised them; the Events API shows them; Sandpay's own endpoints and
 * event API, and Razorpay's endpoints, never see them.
 */
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;
let rx: Receiver;
let secret: string;
let nativeEndpoint: string;
let razorpayEndpoint: string;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  stripe = stripeSdk(sys.url, t.sk);
  rx = await new Receiver().start();
  secret = (await stripe.webhookEndpoints.create({ url: `${rx.url}/stripe`, enabled_events: ['*'] })).secret!;
  const native = await t.api.post('/webhook-endpoints', { url: `${rx.url}/native`, events: ['*'] });
  expect(native.status).toBe(201);
  nativeEndpoint = native.body.id;
  const razorpay = await t.api.post('/webhook-endpoints', { url: `${rx.url}/razorpay`, events: ['*'], format: 'razorpay', secret: 'rzp_webhook_secret_1' });
  expect(razorpay.status).toBe(201);
  razorpayEndpoint = razorpay.body.id;
});
afterAll(async () => {
  await rx?.stop();
  await sys?.stop();
});

type StripeEventBody = {
  id: string; type: string; request: { id: string | null; idempotency_key: string | null };
  data: { object: Record<string, any>; previous_attributes?: Record<string, unknown> };
};

/** The verified Stripe events of `type` about object `id`, once there are `n`, in the order they were received. */
async function received(type: string, id: string, n = 1): Promise<StripeEventBody[]> {
  const got = await eventually(
    async () => rx.received.filter((x: Received) => x.path === '/stripe' && x.body?.type === type && x.body.data.object.id === id),
    (xs) => xs.length >= n,
  );
  return got.map((r) => stripe.webhooks.constructEvent(r.rawBody, String(r.headers['stripe-signature']), secret) as unknown as StripeEventBody);
}

/** As the SDK answered it, without its response bookkeeping. */
const plain = (o: object) => JSON.parse(JSON.stringify(o));

/** Each event is what stripe.events.retrieve answers and stripe.events.list of its type shows; Sandpay's own API knows none of them, nor gives them to a Sandpay or Razorpay endpoint. */
async function onlyStripeSees(events: StripeEventBody[]): Promise<void> {
  for (const e of events) {
    expect(plain(await stripe.events.retrieve(e.id))).toEqual({ ...e, pending_webhooks: 0 });
    const listed = await stripe.events.list({ type: e.type, limit: 100 });
    expect(listed.data.filter((x) => x.id === e.id)).toHaveLength(1);
    expect((await t.api.get(`/events/${e.id}`)).status).toBe(404);
  }
  const ids = new Set(events.map((e) => e.id));
  const native = await t.api.get('/events?limit=100');
  expect(native.status).toBe(200);
  expect(native.body.data.filter((e: { id: string }) => ids.has(e.id))).toEqual([]);
  // The deliveries are written with the events: none to the Sandpay or the Razorpay endpoint.
  for (const endpoint of [nativeEndpoint, razorpayEndpoint]) {
    const ds = await t.api.get(`/webhook-deliveries?endpoint_id=${endpoint}&limit=100`);
    expect(ds.status).toBe(200);
    expect(ds.body.data.filter((d: { event_id: string }) => ids.has(d.event_id))).toEqual([]);
  }
  expect(rx.received.filter((r) => r.path === '/native' && ids.has(r.body?.id))).toEqual([]);
}

describe('events of Stripe-only objects', () => {
  it('customers and payment methods: created, updated with previous_attributes, attached, detached, deleted', async () => {
    const customer = await stripe.customers.create({ email: 'jenny@example.com', metadata: { a: '1' } });
    const [created] = await received('customer.created', customer.id);
    expect(created!.data.object).toEqual(plain(customer));
    expect(created!.data.previous_attributes).toBeUndefined();
    expect(created!.request).toEqual({ id: customer.lastResponse.requestId, idempotency_key: null });

    const renamed = await stripe.customers.update(customer.id, { name: 'Jenny Rosen', metadata: { a: '2', b: 'x' } });
    const [updated] = await received('customer.updated', customer.id);
    expect(updated!.data.object).toEqual(plain(renamed));
    expect(updated!.data.previous_attributes).toEqual({ name: null, metadata: { a: '1', b: null } });
    expect(updated!.request.id).toBe(renamed.lastResponse.requestId);

    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const [attached] = await received('payment_method.attached', pm.id);
    expect(attached!.data.object).toEqual(plain(pm));
    expect(attached!.data.object.customer).toBe(customer.id);
    const [pmUpdated] = await received('payment_method.updated', (await stripe.paymentMethods.update(pm.id, { metadata: { label: 'work' } })).id);
    expect(pmUpdated!.data.previous_attributes).toEqual({ metadata: { label: null } });

    // Detaching the default payment method updates the customer too.
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    const detachedPm = await stripe.paymentMethods.detach(pm.id);
    const [detached] = await received('payment_method.detached', pm.id);
    expect(detached!.data.object).toEqual(plain(detachedPm));
    expect(detached!.data.object.customer).toBeNull();
    const customerUpdates = await received('customer.updated', customer.id, 3);
    expect(customerUpdates[2]!.data.previous_attributes).toEqual({ invoice_settings: { default_payment_method: pm.id } });

    await stripe.customers.del(customer.id);
    const [deleted] = await received('customer.deleted', customer.id);
    expect(deleted!.data.object).toMatchObject({ id: customer.id, object: 'customer', email: 'jenny@example.com', name: 'Jenny Rosen' });

    await onlyStripeSees([created!, updated!, attached!, pmUpdated!, detached!, customerUpdates[2]!, deleted!]);
    // An update that changes nothing raises nothing: the only customer.updated is the later change's.
    const other = await stripe.customers.create({ metadata: { a: '1' } });
    await stripe.customers.update(other.id, { metadata: { a: '1' } });
    await stripe.customers.update(other.id, { name: 'B' });
    expect((await received('customer.updated', other.id)).map((e) => e.data.previous_attributes)).toEqual([{ name: null }]);
  });

  it('the catalog: product and price created, updated and a product deleted', async () => {
    const product = await stripe.products.create({ name: 'T-shirt', default_price_data: { currency: 'usd', unit_amount: 2000 } });
    const [productCreated] = await received('product.created', product.id);
    expect(productCreated!.data.object).toEqual(plain(product));
    const [priceCreated] = await received('price.created', String(product.default_price));
    expect(priceCreated!.data.object).toMatchObject({ id: product.default_price, object: 'price', product: product.id, unit_amount: 2000 });

    const price = await stripe.prices.update(String(product.default_price), { nickname: 'standard' });
    const [priceUpdated] = await received('price.updated', price.id);
    expect(priceUpdated!.data.object).toEqual(plain(price));
    expect(priceUpdated!.data.previous_attributes).toEqual({ nickname: null });

    const renamed = await stripe.products.update(product.id, { name: 'Tee' });
    const [productUpdated] = await received('product.updated', product.id);
    expect(productUpdated!.data.object).toEqual(plain(renamed));
    expect(productUpdated!.data.previous_attributes).toMatchObject({ name: 'T-shirt' });

    const lone = await stripe.products.create({ name: 'Gift wrap' });
    await stripe.products.del(lone.id);
    const [productDeleted] = await received('product.deleted', lone.id);
    expect(productDeleted!.data.object).toEqual(plain(lone));

    await onlyStripeSees([productCreated!, priceCreated!, priceUpdated!, productUpdated!, productDeleted!]);
  });

  it('previous_attributes: changed fields as they were, hashes by key, added keys null', () => {
    expect(previousAttributesOf({ a: 1, m: { x: '1', y: '2' }, l: [1] }, { a: 1, m: { x: '1', z: '3' }, l: [1, 2] })).toEqual({ m: { y: '2', z: null }, l: [1] });
    expect(previousAttributesOf({ addr: null }, { addr: { city: 'X' } })).toEqual({ addr: null });
    expect(previousAttributesOf({ a: 1 }, { a: 1 })).toBeNull();
  });
});

import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { cardBody, createPayment, eventually } from '../../support/payments.ts';
import { expectRazorpayError, razorpayKeys, razorpaySdk, sdkError } from '../../support/razorpay.ts';
import { Receiver } from '../../support/receiver.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/** The SDK's webhooks resource (v1 and the v2 partner API) over Sandpay's Razorpay-format endpoints. */
let sys: TestSystem;
let tenant: TestTenant;
let rzp: Razorpay;
let other: Razorpay;
let otherAccount: string;
let account: string;
let receiver: Receiver;
const sdk = () => rzp as any;

/** The tenant's Razorpay account id, as its events carry it. */
async function accountOf(r: Razorpay): Promise<string> {
  const w = await r.webhooks.create({ url: 'http://127.0.0.1:9/probe', events: ['order.paid'] });
  return `acc_${w.owner_id}`;
}

beforeAll(async () => {
  sys = await startTestSystem({ WEBHOOK_RETRY_SCHEDULE: 'none' });
  tenant = await registerTenant(sys.url, 'A');
  rzp = razorpaySdk(sys.url, await razorpayKeys(tenant));
  other = razorpaySdk(sys.url, await razorpayKeys(await registerTenant(sys.url, 'B')));
  receiver = await new Receiver().start();
  account = await accountOf(rzp);
  otherAccount = await accountOf(other);
});
afterAll(async () => {
  await receiver?.stop();
  await sys?.stop();
});

const signed = (secret: string, path: string, event: string, paymentId: string) =>
  receiver.received.filter((r) => r.path === path && r.body?.event === event && r.body?.payload?.payment?.entity?.id === paymentId).map((r) => {
    expect(Razorpay.validateWebhookSignature(r.rawBody, String(r.headers['x-razorpay-signature']), secret)).toBe(true);
    return r.body;
  });

describe('webhooks', () => {
  it('create (v1, events as a map) answers the webhook entity, and the webhook receives signed events of a payment', async () => {
    const w = await sdk().webhooks.create({ url: `${receiver.url}/v1hook`, secret: 'v1-secret', alert_email: 'ops@example.com', events: { 'payment.captured': true, 'refund.created': false } });
    expect(w).toEqual({
      id: expect.stringMatching(/^we_/), created_at: expect.any(Number), updated_at: expect.any(Number), service: expect.any(String), owner_id: account.slice(4), owner_type: 'merchant',
      context: [], disabled_at: 0, url: `${receiver.url}/v1hook`, alert_email: 'ops@example.com', secret_exists: true, entity: 'webhook', active: true, events: ['payment.captured'],
    });
    // The same endpoint through the native API.
    const native = await tenant.api.get(`/webhook-endpoints/${w.id}`);
    expect(native.body).toMatchObject({ format: 'razorpay', events: ['payment.captured'], enabled: true });

    const p = await createPayment(tenant.api, cardBody());
    const hooks = await eventually(async () => signed('v1-secret', '/v1hook', 'payment.captured', p.id), (h) => h.length === 1);
    expect(hooks[0]).toMatchObject({ entity: 'event', account_id: account, event: 'payment.captured', payload: { payment: { entity: { id: p.id, status: 'captured' } } } });

    // A new secret given on edit signs the next deliveries.
    await sdk().webhooks.edit({ url: `${receiver.url}/v1hook`, events: ['payment.captured'], secret: 'v1-secret-2' }, w.id);
    const p2 = await createPayment(tenant.api, cardBody());
    await eventually(async () => signed('v1-secret-2', '/v1hook', 'payment.captured', p2.id), (h) => h.length === 1);
    const second = receiver.received.find((r) => r.body?.payload?.payment?.entity?.id === p2.id)!;
    expect(Razorpay.validateWebhookSignature(second.rawBody, String(second.headers['x-razorpay-signature']), 'v1-secret')).toBe(false);
  });

  it('v2: create, fetch, all, edit (url, events, active) and delete under the tenant\'s account', async () => {
    const w = await rzp.webhooks.create({ url: `${receiver.url}/v2hook`, secret: 'v2-secret', events: ['payment.captured', 'refund.created'] }, account);
    expect(w).toMatchObject({ entity: 'webhook', url: `${receiver.url}/v2hook`, active: true, events: ['payment.captured', 'refund.created'], alert_email: null });
    expect(await rzp.webhooks.fetch(w.id, account)).toEqual(w);

    const all = await rzp.webhooks.all({ count: 100 }, account);
    expect(all.entity).toBe('collection');
    expect(all.items.map((x) => x.id)).toContain(w.id);
    expect((await rzp.webhooks.all({ count: 1 })).items).toHaveLength(1);
    // A Sandpay-format endpoint is not a Razorpay webhook.
    const own = await tenant.api.post('/webhook-endpoints', { url: `${receiver.url}/native`, events: ['*'] });
    expect(own.status).toBe(201);
    expect((await rzp.webhooks.all({ count: 100 }, account)).items.map((x) => x.id)).not.toContain(own.body.id);
    expectRazorpayError(await sdkError(rzp.webhooks.fetch(own.body.id, account)), 400, { description: /does not exist/ });

    const edited = await rzp.webhooks.edit({ url: `${receiver.url}/v2moved`, events: ['payment.captured'] } as any, w.id, account);
    expect(edited).toMatchObject({ id: w.id, url: `${receiver.url}/v2moved`, events: ['payment.captured'], active: true });
    const v1Edited = await sdk().webhooks.edit({ url: `${receiver.url}/v2moved`, events: ['payment.captured', 'order.paid'], alert_email: 'a@example.com' }, w.id);
    expect(v1Edited).toMatchObject({ events: ['payment.captured', 'order.paid'], alert_email: 'a@example.com' });

    // active false: no deliveries; a live webhook shows the payment's events were written.
    const off = await sdk().webhooks.edit({ active: false }, w.id, account);
    expect(off).toMatchObject({ active: false, disabled_at: expect.any(Number) });
    expect(off.disabled_at).toBeGreaterThan(0);
    const live = await rzp.webhooks.create({ url: `${receiver.url}/live`, secret: 'live-secret', events: ['payment.captured'] });
    const p = await createPayment(tenant.api, cardBody());
    await eventually(async () => signed('live-secret', '/live', 'payment.captured', p.id), (h) => h.length === 1);
    const deliveries = await tenant.api.get(`/webhook-deliveries?endpoint_id=${w.id}`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.data).toEqual([]);
    expect(receiver.received.filter((r) => r.path === '/v2moved')).toEqual([]);

    expect(await rzp.webhooks.delete(w.id, account)).toEqual([]);
    expectRazorpayError(await sdkError(rzp.webhooks.fetch(w.id, account)), 400, { description: /does not exist/ });
    expect((await rzp.webhooks.all({ count: 100 }, account)).items.map((x) => x.id)).not.toContain(w.id);
    expect((await tenant.api.get(`/webhook-endpoints/${w.id}`)).status).toBe(404);
    await rzp.webhooks.delete(live.id, account);
  });

  it('tenant isolation: another account id, and another tenant\'s webhook, do not exist', async () => {
    const w = await rzp.webhooks.create({ url: `${receiver.url}/mine`, events: ['order.paid'] });
    expectRazorpayError(await sdkError(other.webhooks.fetch(w.id, otherAccount)), 400, { description: /does not exist/ });
    expectRazorpayError(await sdkError(other.webhooks.delete(w.id, otherAccount)), 400, { description: /does not exist/ });
    expectRazorpayError(await sdkError((other as any).webhooks.edit({ active: false }, w.id)), 400, { description: /does not exist/ });
    // My key with another account's id.
    expectRazorpayError(await sdkError(rzp.webhooks.fetch(w.id, otherAccount)), 400, { description: /does not exist/ });
    expectRazorpayError(await sdkError(rzp.webhooks.all({}, otherAccount)), 400, { description: /does not exist/ });
    expectRazorpayError(await sdkError(rzp.webhooks.create({ url: `${receiver.url}/x`, events: ['order.paid'] }, otherAccount)), 400, { description: /does not exist/ });
    expect((await other.webhooks.all({ count: 100 })).items.map((x) => x.id)).not.toContain(w.id);
    expect((await rzp.webhooks.fetch(w.id, account)).active).toBe(true);
  });

  it('bad input is a Razorpay 400 naming its field', async () => {
    expectRazorpayError(await sdkError(rzp.webhooks.create({ url: `${receiver.url}/x`, events: ['payment.nope'] })), 400, { field: 'events', description: /payment\.nope/ });
    expectRazorpayError(await sdkError(rzp.webhooks.create({ url: `${receiver.url}/x`, events: [] }, account)), 400, { field: 'events' });
    expectRazorpayError(await sdkError(rzp.webhooks.create({ url: 'not a url', events: ['order.paid'] })), 400, { field: 'url' });
    expectRazorpayError(await sdkError(rzp.webhooks.create({ url: 'ftp://example.com/x', events: ['order.paid'] }, account)), 400, { field: 'url' });
    expectRazorpayError(await sdkError(sdk().webhooks.create({ events: ['order.paid'] })), 400, { field: 'url' });
    expectRazorpayError(await sdkError(sdk().webhooks.create({ url: `${receiver.url}/x`, events: ['order.paid'], colour: 'red' })), 400, { field: 'colour' });
    const w = await rzp.webhooks.create({ url: `${receiver.url}/y`, events: ['order.paid'] });
    expectRazorpayError(await sdkError(rzp.webhooks.edit({ events: ['nope'] } as any, w.id, account)), 400, { field: 'events' });
    expectRazorpayError(await sdkError(rzp.webhooks.fetch('we_nope', account)), 400);
    expect((await rzp.webhooks.fetch(w.id, account)).events).toEqual(['order.paid']);
  });
});

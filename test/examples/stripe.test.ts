import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../../examples/stripe/server.ts';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { eventually } from '../support/payments.ts';
import { stripeSdk } from '../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * examples/stripe: a shop written only against the official `stripe` SDK, pointed at Sandpay by
 * its API host. It pays, is declined with the typed error, meets 3-D Secure, captures, refunds and
 * verifies every webhook with constructEvent.
 */
let sys: TestSystem;
let t: TestTenant;
let shop: Shop;

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${shop.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url, 'Stripe Shop');
  const stripe = stripeSdk(sys.url, t.sk);
  // The endpoint's secret is answered once, at creation; its URL is the shop's once it listens.
  const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/placeholder', enabled_events: ['*'] });
  shop = await startShop({ secretKey: t.sk, webhookSecret: endpoint.secret!, apiUrl: sys.url, port: 0 });
  await stripe.webhookEndpoints.update(endpoint.id, { url: `${shop.url}/webhooks/stripe` });
});
afterAll(async () => {
  await shop?.stop();
  await sys?.stop();
});

describe('examples/stripe on Sandpay', () => {
  it('runs its whole flow: pay, decline, 3-D Secure, capture, refund, verified webhooks', async () => {
    const paid = await post('/api/pay', { payment_method: 'pm_card_visa' });
    expect(paid).toMatchObject({ status: 200, body: { status: 'succeeded' } });

    const declined = await post('/api/pay', { payment_method: 'pm_card_chargeDeclined' });
    expect(declined).toMatchObject({ status: 402, body: { code: 'card_declined', decline_code: 'generic_decline' } });

    const challenged = await post('/api/pay', { payment_method: 'pm_card_threeDSecure2Required' });
    expect(challenged.body).toMatchObject({ status: 'requires_action', next_action: 'redirect_to_url' });

    const held = await post('/api/pay', { payment_method: 'pm_card_visa', capture: 'manual' });
    expect(held.body.status).toBe('requires_capture');
    const captured = await post('/api/capture', { id: held.body.id });
    expect(captured.body).toMatchObject({ status: 'succeeded', amount_received: 2000 });

    const refund = await post('/api/refund', { id: paid.body.id, amount: 500 });
    expect(refund.body).toMatchObject({ status: 'succeeded', amount: 500 });

    const seen = await eventually(
      async () => shop.state.webhooks,
      (w) => ['payment_intent.succeeded', 'payment_intent.payment_failed', 'payment_intent.amount_capturable_updated', 'charge.refunded'].every((type) => w.some((e) => e.type === type)),
    );
    expect(seen.every((e) => e.verified)).toBe(true);
    expect(seen.find((e) => e.type === 'payment_intent.payment_failed')?.object_id).toBe(shop.state.declines[0]!.payment_intent);
    expect(shop.state.declines).toEqual([{ code: 'card_declined', decline_code: 'generic_decline', payment_intent: expect.stringMatching(/^pi_/) }]);
  });
});

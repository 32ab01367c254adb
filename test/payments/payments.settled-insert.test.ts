import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * A payment whose outcome is known at creation is inserted already settled (one statement, not
 * INSERT pending + UPDATE); its payment.created event must still show the payment as it was born.
 */
let sys: TestSystem;
let t: TestTenant;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
});
afterAll(async () => {
  await sys?.stop();
});

async function eventsOf(paymentId: string): Promise<Array<{ type: string; data: { object: any } }>> {
  const res = await t.api.get(`/events?object_id=${paymentId}&limit=10`);
  expect(res.status, res.text).toBe(200);
  return [...res.body.data].reverse();
}

describe('a payment inserted already settled', () => {
  it.each([
    ['success', cardBody(), 'payment.success'],
    ['authorized', cardBody(undefined, { capture: 'manual' }), 'payment.authorized'],
    ['failed', cardBody(CARDS.declined), 'payment.failed'],
  ])('%s: payment.created shows it pending, the next event shows it as stored', async (status, body, finalEvent) => {
    const p = await createPayment(t.api, body);
    expect(p.status).toBe(status);
    const events = await eventsOf(p.id);
    expect(events.map((e) => e.type)).toEqual(['payment.created', finalEvent]);
    const stored = (await t.api.get(`/payments/${p.id}`)).body;
    expect(events[1]!.data.object).toEqual(stored);
    const ttlMs = 15 * 60 * 1000;
    expect(events[0]!.data.object).toEqual({
      ...stored,
      status: 'pending',
      amount_captured: 0,
      failure_code: null,
      failure_message: null,
      authorized_at: null,
      captured_at: null,
      expires_at: new Date(Date.parse(stored.created_at) + ttlMs).toISOString(),
      updated_at: stored.created_at,
    });
    expect(stored.updated_at).toBe(stored.created_at);
    if (status === 'success') expect(stored.captured_at).toBe(stored.created_at);
    if (status === 'authorized') expect(stored.authorized_at).toBe(stored.created_at);
  });

  it('a payment that stays pending shows the same shape in payment.created as when read', async () => {
    const p = await createPayment(t.api, cardBody(CARDS.stayPending));
    const events = await eventsOf(p.id);
    expect(events.map((e) => e.type)).toEqual(['payment.created']);
    const stored = (await t.api.get(`/payments/${p.id}`)).body;
    expect(events[0]!.data.object).toEqual(stored);
    expect(stored.expires_at).toBe(new Date(Date.parse(stored.created_at) + 15 * 60 * 1000).toISOString());
  });
});

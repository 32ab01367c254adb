import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { Client, idemKey, registerTenant } from '../support/client.ts';
import { cardBody, createPayment, eventually } from '../support/payments.ts';
import { ADMIN_TOKEN, startTestSystem, testEnv, type TestSystem } from '../support/system.ts';

/**
 * What the create path no longer reads from the database on every request (issue 16) must still
 * be exact when another process changes it: webhook endpoints are found in the statement that
 * writes the events (no cache), fraud rules come from a per-process cache dropped through NOTIFY.
 */
let sys: TestSystem;
let second: Runtime;

beforeAll(async () => {
  sys = await startTestSystem();
  second = await startRuntime(loadConfig(testEnv(sys.databaseUrl, { SANDPAY_ROLE: 'api' })), createLogger('silent'));
  await sys.runtime.caches?.whenLive();
  await second.caches?.whenLive();
});
afterAll(async () => {
  await second?.stop();
  await sys?.stop();
});

describe('webhook fan-out on create', () => {
  it('a tenant with no endpoint gets no deliveries; an endpoint created in another process receives the very next event', async () => {
    const t = await registerTenant(sys.url);
    const viaSecond = new Client(second.url! + '/api/v1', t.sk);
    await createPayment(t.api);
    expect((await t.api.get('/webhook-deliveries')).body.data).toHaveLength(0);

    const ep = await viaSecond.post('/webhook-endpoints', { url: 'https://example.com/hooks', events: ['payment.created'] }, { idem: idemKey() });
    expect(ep.status, ep.text).toBe(201);
    // No waiting: the next create in the first process already delivers to it.
    const p = await createPayment(t.api);
    const deliveries = (await t.api.get(`/webhook-deliveries?endpoint_id=${ep.body.id}`)).body.data;
    expect(deliveries.map((d: any) => d.event_type)).toEqual(['payment.created']);

    // Disabled in the other process: the very next event is not delivered to it.
    expect((await viaSecond.patch(`/webhook-endpoints/${ep.body.id}`, { enabled: false })).status).toBe(200);
    await createPayment(t.api);
    expect((await t.api.get(`/webhook-deliveries?endpoint_id=${ep.body.id}`)).body.data).toHaveLength(1);
    expect(p.status).toBe('success');
  });

  it("a payment's own webhook_url is delivered to without any endpoint", async () => {
    const t = await registerTenant(sys.url);
    await createPayment(t.api, cardBody(undefined, { webhook_url: 'https://example.com/own' }));
    const deliveries = (await t.api.get('/webhook-deliveries')).body.data;
    expect(deliveries.map((d: any) => d.event_type).sort()).toEqual(['payment.created', 'payment.success']);
  });
});

describe('the per-process fraud-rule cache', () => {
  it('a rule created in this process applies to the very next create', async () => {
    const t = await registerTenant(sys.url);
    expect((await createPayment(t.api)).status).toBe('success'); // rules now cached
    const rule = { name: 'small only', type: 'amount_limit', params: { max_amount: 1000 }, action: 'block' };
    expect((await t.api.post('/fraud-rules', rule, { idem: idemKey() })).status).toBe(201);
    const p = await createPayment(t.api);
    expect([p.status, p.failure_code]).toEqual(['failed', 'fraud_blocked']);
  });

  it("a tenant rule created or disabled in another process applies here within a second", async () => {
    const t = await registerTenant(sys.url);
    const viaSecond = new Client(second.url! + '/api/v1', t.sk);
    expect((await createPayment(t.api)).status).toBe('success');
    const rule = await viaSecond.post('/fraud-rules', { name: 'small only', type: 'amount_limit', params: { max_amount: 1000 }, action: 'flag' }, { idem: idemKey() });
    expect(rule.status, rule.text).toBe(201);
    await eventually(() => createPayment(t.api), (p) => p.status === 'flagged', 1000);
    expect((await viaSecond.patch(`/fraud-rules/${rule.body.id}`, { enabled: false }, { idem: idemKey() })).status).toBe(200);
    await eventually(() => createPayment(t.api), (p) => p.status === 'success', 1000);
  });

  it("a global rule created in another process applies to every tenant's cached rules within a second", async () => {
    const t = await registerTenant(sys.url);
    const jpy = cardBody(undefined, { currency: 'JPY' });
    expect((await createPayment(t.api, jpy)).status).toBe('success');
    const admin = new Client(second.url! + '/api/v1', ADMIN_TOKEN);
    const rule = await admin.post('/admin/fraud-rules', { name: 'no JPY', type: 'currency_block', params: { currencies: ['JPY'] }, action: 'block' }, { idem: idemKey() });
    expect(rule.status, rule.text).toBe(201);
    await eventually(() => createPayment(t.api, jpy), (p) => p.failure_code === 'fraud_blocked', 1000);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, idemKey, registerTenant } from '../support/client.ts';
import { cardBody, eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

describe('SSRF guard', () => {
  let prod: TestSystem;
  let local: TestSystem;
  beforeAll(async () => {
    [prod, local] = await Promise.all([startTestSystem({ NODE_ENV: 'production' }), startTestSystem({ NODE_ENV: 'development' })]);
  });
  afterAll(async () => {
    await prod?.stop();
    await local?.stop();
  });

  const privateTargets = ['http://127.0.0.1:4000/hook', 'http://localhost:4000/hook', 'http://10.0.0.5/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:4000/', 'http://192.168.1.10/'];

  it('production refuses private and loopback endpoint URLs and payment webhook_urls', async () => {
    const t = await registerTenant(prod.url);
    for (const url of privateTargets) {
      expectError(await t.api.post('/webhook-endpoints', { url, events: ['*'] }), 400, { code: 'url_not_allowed', param: 'url' });
    }
    expectError(await t.api.post('/payments', cardBody(undefined, { webhook_url: privateTargets[0] }), { idem: idemKey() }), 400, { code: 'url_not_allowed', param: 'webhook_url' });
    // A public address is accepted.
    expect((await t.api.post('/webhook-endpoints', { url: 'https://93.184.216.34/hook', events: ['*'] })).status).toBe(201);
  });

  it('production checks again at delivery time (the target may have changed since registration)', async () => {
    const t = await registerTenant(prod.url);
    const ep = await t.api.post('/webhook-endpoints', { url: 'https://93.184.216.34/hook', events: ['payment.created'] });
    await prod.sql('UPDATE webhook_endpoints SET url = $2 WHERE id = $1', [ep.body.id, 'http://127.0.0.1:9/hook']);
    await t.api.post('/payments', cardBody(), { idem: idemKey() });
    const [d] = await eventually(async () => (await t.api.get('/webhook-deliveries')).body.data, (ds: any[]) => ds[0]?.attempt_count >= 1);
    expect(d.attempts[0].error).toMatch(/^blocked: .*private/);
    expect(d.attempts[0].status_code).toBeNull();
  });

  it('local development allows loopback receivers', async () => {
    const t = await registerTenant(local.url);
    for (const url of privateTargets) expect((await t.api.post('/webhook-endpoints', { url, events: ['*'] })).status).toBe(201);
  });
});

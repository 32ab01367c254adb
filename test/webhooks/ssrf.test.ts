import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertUrlAllowed, BlockedUrlError, embeddedIPv4, isPrivateAddress } from '../../src/webhooks/ssrf.ts';
import { expectError, idemKey, registerTenant } from '../support/client.ts';
import { cardBody, eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

describe('IPv6 addresses that embed an IPv4 address are judged by it', () => {
  // Teredo: server 65.54.227.120 (4136:e378), client IPv4 XOR 0xffffffff in the last 32 bits.
  const teredo = (client: string) => `2001:0:4136:e378:8000:63bf:${client}`;
  it.each([
    ['IPv4-compatible, dotted', '::127.0.0.1', '127.0.0.1'],
    ['IPv4-compatible, hex', '::7f00:1', '127.0.0.1'],
    ['IPv4-compatible, private', '::10.0.0.1', '10.0.0.1'],
    ['IPv4-mapped, dotted', '::ffff:127.0.0.1', '127.0.0.1'],
    ['IPv4-mapped, hex', '::ffff:7f00:1', '127.0.0.1'],
    ['IPv4-mapped, metadata', '::ffff:a9fe:a9fe', '169.254.169.254'],
    ['IPv4-translated', '::ffff:0:10.1.2.3', '10.1.2.3'],
    ['6to4', '2002:7f00:1::1', '127.0.0.1'],
    ['6to4, private', '2002:c0a8:101::', '192.168.1.1'],
    ['NAT64', '64:ff9b::127.0.0.1', '127.0.0.1'],
    ['NAT64, hex', '64:ff9b::a00:1', '10.0.0.1'],
    ['NAT64 local-use /96', '64:ff9b:1::a9fe:a9fe', '169.254.169.254'],
    ['Teredo client loopback', teredo('80ff:fffe'), '127.0.0.1'],
    ['Teredo client private', teredo('f5ff:fffe'), '10.0.0.1'],
    ['ISATAP', '2001:db9:1:2:0:5efe:10.0.0.1', '10.0.0.1'],
    ['ISATAP, universal', 'fd00::200:5efe:a9fe:a9fe', '169.254.169.254'],
    ['ISATAP, public prefix', '2606:4700:1:2:200:5efe:127.0.0.1', '127.0.0.1'],
  ])('%s %s (%s) is private', (_form, address, v4) => {
    expect(embeddedIPv4(address)).toContain(v4);
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    ['IPv4-mapped', '::ffff:93.184.216.34'],
    ['IPv4-compatible', '::5db8:d822'],
    ['NAT64', '64:ff9b::93.184.216.34'],
    ['6to4', '2002:5db8:d822::1'],
    ['Teredo', teredo('a247:27dd')],
    ['ISATAP', '2606:4700:1:2:0:5efe:93.184.216.34'],
    ['native', '2606:4700::1111'],
  ])('%s %s with a public IPv4 part is allowed', (_form, address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('refuses a local-use NAT64 address whose IPv4 part cannot be located', () => {
    expect(embeddedIPv4('64:ff9b:1:abcd::1')).toBe('opaque');
    expect(isPrivateAddress('64:ff9b:1:abcd::1')).toBe(true);
  });

  it.each(['http://[::127.0.0.1]/', 'http://[::ffff:7f00:1]:4000/', 'http://[2002:7f00:1::1]/', 'http://[64:ff9b::10.0.0.1]/', `http://[${teredo('80ff:fffe')}]/`])(
    'assertUrlAllowed refuses %s when private targets are not allowed',
    async (url) => {
      await expect(assertUrlAllowed(url, false)).rejects.toBeInstanceOf(BlockedUrlError);
      await expect(assertUrlAllowed(url, true)).resolves.toBeUndefined();
    },
  );
});

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

  const privateTargets = ['http://127.0.0.1:4000/hook', 'http://localhost:4000/hook', 'http://10.0.0.5/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:4000/', 'http://192.168.1.10/', 'http://[::127.0.0.1]/'];

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

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger, redactUrl } from '../src/logger.ts';
import { startRuntime } from '../src/runtime.ts';
import { Client, registerTenant } from './support/client.ts';
import { createTestDatabase, testEnv } from './support/system.ts';

const SK = 'sk_test_' + 'a1B2'.repeat(8);
const WHSEC = 'whsec_' + 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0';
const ADMIN = 'admin_' + 'Z9'.repeat(20);

describe('redactUrl', () => {
  it.each([
    ['/api/v1/payments?api_key=' + SK, '/api/v1/payments?api_key=[REDACTED]'],
    ['/x?token=abc123&limit=5', '/x?token=[REDACTED]&limit=5'],
    ['/x?apiKey=plain&client_secret=s&password=p&signature=v1,abc', '/x?apiKey=[REDACTED]&client_secret=[REDACTED]&password=[REDACTED]&signature=[REDACTED]'],
    ['/x?card[number]=4111&card%5Bcvc%5D=123&auth=x', '/x?card[number]=[REDACTED]&card%5Bcvc%5D=[REDACTED]&auth=[REDACTED]'],
    ['/x?q=' + encodeURIComponent(WHSEC), '/x?q=[REDACTED]'],
    ['/x?note=' + ADMIN, '/x?note=[REDACTED]'],
    ['/x?ref=rzp_test_1DP5mmOlF5G5ag', '/x?ref=[REDACTED]'],
    ['/x?' + SK, '/x?[REDACTED]'],
    ['/x?' + SK + '=1', '/x?[REDACTED]=1'],
    ['/api/v1/keys/' + SK + '/x', '/api/v1/keys/[REDACTED]/x'],
    ['/api/v1/webhooks/' + encodeURIComponent(WHSEC), '/api/v1/webhooks/[REDACTED]'],
    ['/cards/4242424242424242', '/cards/[REDACTED]'],
    ['/x?q=4242%204242%204242%204242', '/x?q=[REDACTED]'],
    ['/x?q=pk_live_abc', '/x?q=[REDACTED]'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    '/api/v1/payments?limit=10&starting_after=pay_0123456789abcdefghij&status=success',
    '/api/v1/payments/pay_0123456789abcdefghij/refunds',
    '/api/v1/admin/tenants?tenant_id=ten_x',
    '/x?amount=424242424243', // 12 digits failing Luhn
    '/x?created_gte=2026-01-01T00:00:00Z',
    '/health',
  ])('leaves %s alone', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});

describe('the log', () => {
  function capture() {
    const lines: string[] = [];
    return { lines, dest: { write: (s: string) => void lines.push(s) } };
  }

  it('censors secret fields by name', () => {
    const { lines, dest } = capture();
    createLogger('info', dest).info(
      { authorization: 'Bearer x', key_secret: 'ks', password: 'pw', secret: 's', card: { number: '4242424242424242', cvc: '123' }, body: { cvc: '321', card: { number: '4000000000000002' } } },
      'hello',
    );
    const text = lines.join('');
    for (const value of ['Bearer x', '"ks"', '"pw"', '"s"', '4242424242424242', '"123"', '"321"', '4000000000000002']) expect(text).not.toContain(value);
    expect(JSON.parse(text)).toMatchObject({ authorization: '[REDACTED]', card: { number: '••••4242', cvc: '[REDACTED]' }, body: { cvc: '[REDACTED]', card: { number: '••••0002' } } });
  });

  it('request logs show the URL with secrets redacted', async () => {
    const db = await createTestDatabase();
    const { lines, dest } = capture();
    const config = loadConfig(testEnv(db.url, { LOG_LEVEL: 'info', SANDPAY_ROLE: 'api' }));
    const runtime = await startRuntime(config, createLogger('info', dest));
    try {
      const api = new Client(runtime.url!);
      const paths = [
        `/api/v1/payments?api_key=${SK}&limit=5`,
        `/api/v1/webhook-endpoints?token=tok_plain&x=${encodeURIComponent(WHSEC)}`,
        `/api/v1/payments/4242424242424242`,
        `/api/v1/admin/tenants?admin=${ADMIN}`,
      ];
      for (const p of paths) await api.get(p);
      const requestLines = () => lines.filter((l) => l.includes('"statusCode"'));
      for (let i = 0; i < 100 && requestLines().length < paths.length; i++) await new Promise((r) => setTimeout(r, 50));
      const logged = requestLines().map((l) => JSON.parse(l).req.url as string);
      expect(logged).toEqual([
        '/api/v1/payments?api_key=[REDACTED]&limit=5',
        '/api/v1/webhook-endpoints?token=[REDACTED]&x=[REDACTED]',
        '/api/v1/payments/[REDACTED]',
        '/api/v1/admin/tenants?admin=[REDACTED]',
      ]);
      const all = lines.join('');
      for (const secret of [SK, 'tok_plain', WHSEC, encodeURIComponent(WHSEC), '4242424242424242', ADMIN]) expect(all).not.toContain(secret);
    } finally {
      await runtime.stop();
      await db.drop();
    }
  });
  it('logs an injected fault as a warning naming the fault, with no made-up error or stack trace', async () => {
    const db = await createTestDatabase();
    const { lines, dest } = capture();
    const config = loadConfig(testEnv(db.url, { LOG_LEVEL: 'info', SANDPAY_ROLE: 'api' }));
    const runtime = await startRuntime(config, createLogger('info', dest));
    try {
      const t = await registerTenant(runtime.url!);
      expect((await t.api.get('/payments', { headers: { 'Sandpay-Fault': 'status=503' } })).status).toBe(503);
      const faulted = () => lines.map((l) => JSON.parse(l)).filter((l) => l.res?.statusCode === 503);
      for (let i = 0; i < 100 && faulted().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const [line] = faulted();
      expect(line).toMatchObject({ level: 40, fault: 'status=503' });
      expect(line.err).toBeUndefined();
      expect(JSON.stringify(line)).not.toMatch(/\n\s+at /);
    } finally {
      await runtime.stop();
      await db.drop();
    }
  });
});

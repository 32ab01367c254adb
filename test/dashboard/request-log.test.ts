import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createRequestLogWriter } from '../../src/request-log/writer.ts';
import { redactedRequestBody, redactedResponseBody } from '../../src/request-log/redact.ts';
import { maskText } from '../../src/core/secret-text.ts';
import { Client, expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  sys = await startTestSystem();
  a = await registerTenant(sys.url, 'A');
  b = await registerTenant(sys.url, 'B');
});
afterAll(() => sys?.stop());

const log = (t: TestTenant, query = '') => t.api.get(`/request-log${query}`);

describe('redaction', () => {
  it('masks card numbers, cvc, keys and secrets, keeping enough to recognise them', () => {
    const body = JSON.parse(redactedRequestBody({
      card: { number: '4242424242424242', cvc: '123', exp_month: 12 }, note: 'card 4000 0000 0000 0002 and sk_test_abcdefgh1234',
      nested: [{ webhook_secret: 'whsec_xyz', password: 'p' }], amount: 5000,
    })!);
    expect(body.card).toEqual({ number: '••••4242', cvc: '[REDACTED]', exp_month: 12 });
    expect(body.note).toBe('card ••••0002 and sk_test_…1234');
    expect(body.nested[0]).toEqual({ webhook_secret: '[REDACTED]', password: '[REDACTED]' });
    expect(body.amount).toBe(5000);
    expect(JSON.parse(redactedResponseBody('{"secret_key":"sk_test_abcd","id":"key_1"}')!)).toEqual({ secret_key: '[REDACTED]', id: 'key_1' });
    expect(maskText('order 123456789012 ok')).toBe('order 123456789012 ok'); // not a Luhn number
    expect(redactedResponseBody('plain 4242424242424242')).toBe('plain ••••4242');
  });
});

describe('GET /request-log', () => {
  it('records a failed request with its error code, idempotency key and request id, and no card number', async () => {
    const key = idemKey();
    const bad = await a.api.post('/payments', cardBody(CARDS.visa, { currency: 'inr' }), { idem: key, headers: { 'x-request-id': 'req-from-client-1' } });
    expectError(bad, 400, { code: 'parameter_invalid' });
    const page = await eventually(() => log(a, '?status=4xx'), (r) => r.body.data.some((e: any) => e.request_id === 'req-from-client-1'));
    const entry = page.body.data.find((e: any) => e.request_id === 'req-from-client-1');
    expect(entry).toMatchObject({
      object: 'request_log_entry', method: 'POST', path: '/api/v1/payments', status: 400, idempotency_key: key, source: 'secret_key',
      error: { type: 'invalid_request_error', code: 'parameter_invalid', param: 'currency' },
    });
    expect(entry.latency_ms).toBeGreaterThan(0);
    expect(JSON.stringify(entry)).not.toContain('4242424242424242');
    expect(JSON.parse(entry.request_body).card).toMatchObject({ number: '••••4242', cvc: '[REDACTED]' });
    expect(JSON.parse(entry.response_body).error.code).toBe('parameter_invalid');
  });

  it("filters by status, method, path prefix, error code and request id, and shows only the tenant's own requests", async () => {
    await createPayment(a.api);
    await a.api.get('/payments/pay_00000000000000000000');
    await b.api.get('/payments?limit=1');
    await eventually(() => log(a, '?status=404'), (r) => r.body.data.length >= 1);
    const notFound = (await log(a, '?status=404')).body.data;
    expect(notFound.every((e: any) => e.status === 404 && e.error.code === 'resource_missing')).toBe(true);
    expect((await log(a, '?error_code=resource_missing')).body.data.length).toBe(notFound.length);
    const posts = (await log(a, '?method=POST&path=/api/v1/payments')).body.data;
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(posts.every((e: any) => e.method === 'POST' && e.path.startsWith('/api/v1/payments'))).toBe(true);
    expect((await log(a, '?status=2xx')).body.data.every((e: any) => e.status >= 200 && e.status < 300)).toBe(true);
    const mine = (await log(a)).body.data;
    expect(mine.some((e: any) => e.path === '/api/v1/payments' && e.query === 'limit=1')).toBe(false);
    expect((await log(a, `?request_id=${mine[0].request_id}`)).body.data.map((e: any) => e.id)).toEqual([mine[0].id]);
    expectError(await log(a, '?status=4x'), 400, { param: 'status' });
  });

  it('pages with cursors, newest first', async () => {
    for (let i = 0; i < 5; i++) await a.api.get(`/payments?limit=${i + 1}`);
    await eventually(() => log(a, '?path=/api/v1/payments&method=GET'), (r) => r.body.data.filter((e: any) => /^limit=\d$/.test(e.query ?? '')).length >= 5);
    const first = await log(a, '?limit=2&method=GET');
    expect(first.body.has_more).toBe(true);
    const second = await log(a, `?limit=2&method=GET&starting_after=${first.body.next_cursor}`);
    expect(second.body.data.length).toBe(2);
    expect(second.body.data[0].created_at <= first.body.data[1].created_at).toBe(true);
    expect(second.body.data.map((e: any) => e.id)).not.toContain(first.body.data[1].id);
  });

  it('keeps at most maxPerTenant rows per tenant and nothing past the retention', async () => {
    const { runtime } = sys;
    const writer = createRequestLogWriter(runtime.db, createLogger('silent'), { maxPerTenant: 3, pruneEveryMs: 0 });
    const t = await registerTenant(sys.url, 'Bounded');
    const entry = (i: number, at = new Date()) => ({
      tenantId: t.id, requestId: `r${i}`, method: 'GET', path: '/api/v1/x', query: null, status: 200, latencyMs: 1, idempotencyKey: null,
      replayed: false, source: 'secret_key' as const, requestBody: undefined, responseText: null, fault: null, at,
    });
    for (let i = 0; i < 6; i++) writer.push(entry(i, new Date(Date.now() + i)));
    writer.push(entry(99, new Date(Date.now() - 100 * 3600_000)));
    await writer.flush();
    await writer.flush();
    const rows = await sys.sql<{ request_id: string }>('SELECT request_id FROM request_log WHERE tenant_id = $1 ORDER BY created_at DESC', [t.id]);
    expect(rows.map((r) => r.request_id)).toEqual(['r5', 'r4', 'r3']);
  });

  it('a dashboard session is logged for its writes, not its reads', async () => {
    const root = new Client(sys.url);
    const s = await root.post('/api/v1/dashboard/session', { key: a.sk }, { key: null });
    const cookie = s.headers.get('set-cookie')!.split(';')[0]!;
    await root.get('/api/v1/payments?limit=7', { key: null, headers: { cookie } });
    const made = await root.post('/api/v1/payments', cardBody(), { key: null, idem: idemKey(), headers: { cookie, 'x-csrf-token': s.body.csrf_token } });
    expect(made.status).toBe(201);
    const entries = (await eventually(() => log(a, '?source=dashboard'), (r) => r.body.data.length >= 1)).body.data;
    expect(entries.map((e: any) => `${e.method} ${e.path}`)).toEqual(['POST /api/v1/payments']);
  });
});

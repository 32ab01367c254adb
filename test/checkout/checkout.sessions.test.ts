import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertOpenerAllowed, frameAncestors, parseOrigin } from '../../src/checkout/origins.ts';
import { loadConfig } from '../../src/config.ts';
import { FAILURE_MESSAGES } from '../../src/payments/instruments.ts';
import { createLogger } from '../../src/logger.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { startRuntime } from '../../src/runtime.ts';
import { Client, expectError, idemKey, registerTenant, type ApiResponse, type TestTenant } from '../support/client.ts';
import { CARDS, eventually } from '../support/payments.ts';
import { createTestDatabase, startTestSystem, testEnv, type TestSystem } from '../support/system.ts';

const run = promisify(execFile);
const PK_MAX = 25;

let sys: TestSystem;
let a: TestTenant;
let b: TestTenant;
let root: Client;

beforeAll(async () => {
  sys = await startTestSystem({ RATE_LIMIT_PUBLISHABLE_MAX: String(PK_MAX) });
  a = await registerTenant(sys.url, 'Shop A');
  b = await registerTenant(sys.url, 'Shop B');
  root = new Client(sys.url);
});
afterAll(() => sys?.stop());

const card = (number: string = CARDS.visa) => ({ method: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc: number.startsWith('37') ? '1234' : '123' } });
const pay = (id: string, body: unknown, key = idemKey()) => root.post(`/checkout/${id}/pay`, body, { headers: { 'idempotency-key': key } });
const sign = (t: TestTenant, orderId: string, paymentId: string) => createHmac('sha256', t.whsec).update(`${orderId}|${paymentId}`).digest('hex');

async function session(t: TestTenant = a, body: Record<string, unknown> = { amount: 49900, currency: 'INR' }): Promise<any> {
  const res = await t.api.post('/checkout/sessions', body);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function orderPayments(t: TestTenant, orderId: string): Promise<any[]> {
  return (await t.api.get(`/orders/${orderId}/payments?limit=100`)).body.data;
}

describe('checkout sessions API', () => {
  it('opens a session for an amount (creating the order) or for an order, and reads and lists them', async () => {
    const s = await session(a, { amount: 49900, currency: 'INR', success_url: 'https://shop.example/ok', methods: ['card', 'upi'], prefill: { email: 'A@B.test' }, description: 'T-shirt', metadata: { cart: '7' } });
    expect(s).toMatchObject({ object: 'checkout.session', status: 'open', amount: 49900, currency: 'INR', payment_id: null, methods: ['card', 'upi'], prefill: { email: 'a@b.test' } });
    expect(s.id).toMatch(/^cs_[0-9A-Za-z]{20}$/);
    expect(s.url).toBe(`${sys.url}/checkout/${s.id}`);
    expect(Math.abs(new Date(s.expires_at).getTime() - Date.now() - 1800_000)).toBeLessThan(60_000);
    expect((await a.api.get(`/orders/${s.order_id}`)).body).toMatchObject({ amount: 49900, status: 'created' });

    const order = (await a.api.post('/orders', { amount: 100, currency: 'USD' })).body;
    const s2 = await session(a, { order_id: order.id, expires_in: 60 });
    expect(s2).toMatchObject({ order_id: order.id, amount: 100, currency: 'USD', methods: ['card', 'upi', 'netbanking', 'wallet'] });
    expect((await a.api.get(`/checkout/sessions/${s2.id}`)).body).toEqual(s2);

    const page1 = (await a.api.get('/checkout/sessions?limit=1')).body;
    expect(page1.data.map((x: any) => x.id)).toEqual([s2.id]);
    expect(page1.has_more).toBe(true);
    const page2 = (await a.api.get(`/checkout/sessions?limit=1&starting_after=${page1.next_cursor}`)).body;
    expect(page2.data.map((x: any) => x.id)).toEqual([s.id]);
    expect((await a.api.get(`/checkout/sessions?order_id=${order.id}`)).body.data).toHaveLength(1);
  });

  it('refuses bad input with the usual error shape', async () => {
    const order = (await a.api.post('/orders', { amount: 100, currency: 'INR' })).body;
    expectError(await a.api.post('/checkout/sessions', { order_id: order.id, amount: 100 }), 400, { param: 'amount' });
    expectError(await a.api.post('/checkout/sessions', { amount: 100 }), 400, { code: 'parameter_missing', param: 'currency' });
    expectError(await a.api.post('/checkout/sessions', { amount: 100, currency: 'INR', methods: ['cash'] }), 400, { param: 'methods.0' });
    expectError(await a.api.post('/checkout/sessions', { amount: 100, currency: 'INR', expires_in: 0 }), 400, { param: 'expires_in' });
    expectError(await a.api.post('/checkout/sessions', { amount: 100, currency: 'INR', success_url: 'javascript:alert(1)' }), 400, { param: 'success_url' });
    expectError(await b.api.post('/checkout/sessions', { order_id: order.id }), 404, { param: 'order_id' });
    expectError(await b.api.get(`/checkout/sessions/${(await session()).id}`), 404, { code: 'resource_missing' });
    expectError(await a.api.get('/checkout/sessions/cs_nope'), 404);
  });

  it('lets the publishable key open a session for its own order and do nothing else', async () => {
    const pk = a.api.withKey(a.pk);
    const order = (await a.api.post('/orders', { amount: 2500, currency: 'INR' })).body;
    const s = await pk.post('/checkout/sessions', { order_id: order.id, prefill: { name: 'Asha' } }, { headers: { origin: 'http://localhost:5173' } });
    expect(s.status, s.text).toBe(201);
    expectError(await pk.post('/checkout/sessions', { amount: 100, currency: 'INR' }), 403, { code: 'secret_key_required', param: 'amount' });
    expectError(await pk.post('/checkout/sessions', { order_id: order.id, success_url: 'https://evil.example/' }), 403, { code: 'secret_key_required' });
    expectError(await pk.get(`/checkout/sessions/${s.body.id}`), 403, { code: 'secret_key_required' });
    expectError(await pk.get('/checkout/sessions'), 403);
    expectError(await pk.get('/orders'), 403);
    // Another tenant's order with this publishable key: as if it did not exist.
    expectError(await b.api.withKey(b.pk).post('/checkout/sessions', { order_id: order.id }), 404, { param: 'order_id' });

    // The browser's CORS preflight is answered for any origin; the origin itself is checked by the route.
    const pre = await fetch(`${sys.url}/api/v1/checkout/sessions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example');

    const settings = await a.api.patch('/auth/settings', { checkout: { allowed_origins: ['https://shop.example/'] } });
    expect(settings.status, settings.text).toBe(200);
    expect(settings.body.settings.checkout.allowed_origins).toEqual(['https://shop.example']);
    expectError(await a.api.patch('/auth/settings', { checkout: { allowed_origins: ['https://shop.example/path'] } }), 400);
    expectError(await pk.post('/checkout/sessions', { order_id: order.id }, { headers: { origin: 'https://evil.example' } }), 403, { code: 'origin_not_allowed' });
    expectError(await pk.post('/checkout/sessions', { order_id: order.id }), 403, { code: 'origin_not_allowed' });
    const ok = await pk.post('/checkout/sessions', { order_id: order.id }, { headers: { origin: 'https://shop.example' } });
    expect(ok.status, ok.text).toBe(201);
    // The hosted page may be framed only by the page that opened it.
    const page = await fetch(ok.body.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors https:\/\/shop\.example(;|$)/);
    await a.api.patch('/auth/settings', { checkout: { allowed_origins: [] } });
  });
});

describe('the hosted page', () => {
  it('is served with a strict CSP, the amount and a label for every field; bad links get a clear page or the error shape', async () => {
    const s = await session(a, { amount: 49900, currency: 'INR', description: 'T-shirt <b>' });
    const res = await fetch(s.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toMatch(/frame-ancestors \*/);
    expect(res.headers.get('x-frame-options')).toBeNull();
    const html = await res.text();
    expect(html).toContain('₹499.00');
    expect(html).toContain('Shop A');
    expect(html).toContain('T-shirt &lt;b&gt;');
    for (const label of ['Card number', 'Expiry', 'CVC', 'UPI ID']) expect(html).toMatch(new RegExp(`<label for="[a-z-]+">${label}</label>`));
    expect(html).not.toMatch(/<script>(?!\s*$)|<script(?![^>]*(src=|type="application\/json"))/);

    const js = await fetch(`${sys.url}/checkout.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    // Small and ES2017: no optional chaining, ??, object spread or optional catch binding. (10,500 since Razorpay's
    // save-card option: the script with every face's mode was 9,983 bytes before it.)
    const sdk = await js.clone().text();
    expect(sdk.length).toBeLessThan(10_500);
    expect(sdk).not.toMatch(/\?\.|\?\?|\.\.\.|catch\s*\{/);
    const etag = js.headers.get('etag')!;
    expect(etag).toBeTruthy();
    // node:http, since fetch turns a conditional request into a no-cache one.
    const revalidated = await new Promise<number>((resolve, reject) =>
      http.get(`${sys.url}/checkout.js`, { headers: { 'if-none-match': etag } }, (r) => resolve(r.resume().statusCode!)).on('error', reject),
    );
    expect(revalidated).toBe(304);

    // A sentence for every failure code a payment can end with.
    const pageJs = await (await fetch(`${sys.url}/checkout/assets/card.js`)).text();
    for (const code of Object.keys(FAILURE_MESSAGES)) expect(pageJs, code).toMatch(new RegExp(`\\n  ${code}: ['"]`));

    const unknown = await fetch(`${sys.url}/checkout/cs_${'x'.repeat(20)}`, { headers: { accept: 'text/html' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('Checkout not found');
    expectError(await root.get(`/checkout/cs_${'x'.repeat(20)}`), 404);
    expectError(await root.get('/checkout/cs_nope/status'), 404);
    expectError(await pay('cs_nope', card()), 404);
  });

  it('pays with a card and returns the signed result; the session completes through the outbox', async () => {
    const s = await session();
    const res = await pay(s.id, { ...card(), email: 'Payer@Example.com' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: 'complete', payment: { status: 'success', method: 'card', next_action: null } });
    const { payment_id, order_id, signature } = res.body.result;
    expect(order_id).toBe(s.order_id);
    expect(signature).toBe(sign(a, order_id, payment_id));
    expect((await a.api.get(`/orders/${order_id}`)).body.status).toBe('paid');
    // The payment's metadata is the session's notes (none here); which session made it is checkout's own record.
    expect((await a.api.get(`/payments/${payment_id}`)).body).toMatchObject({ customer_email: 'payer@example.com', metadata: {} });
    expect(await sys.sql('SELECT session_id FROM checkout_payments WHERE payment_id = $1', [payment_id])).toEqual([{ session_id: s.id }]);
    expect((await a.api.get(`/checkout/sessions/${s.id}`)).body).toMatchObject({ status: 'complete', payment_id });
    const events = (await a.api.get('/events?type=checkout.session.completed')).body.data;
    expect(events.find((e: any) => e.data.object.id === s.id)?.data.object).toMatchObject({ status: 'complete', payment_id });
    // Paying again: the order is paid.
    expectError(await pay(s.id, card()), 409, { code: 'order_already_paid' });
  });

  it('reproduces the signature with openssl and verify-checkout, and rejects tampered ids and signatures', async () => {
    const s = await session();
    const { result } = (await pay(s.id, card())).body;
    const openssl = await run('sh', ['-c', `printf '%s' "$ORDER|$PAY" | openssl dgst -sha256 -hmac "$WHSEC"`], {
      env: { ...process.env, ORDER: result.order_id, PAY: result.payment_id, WHSEC: a.whsec },
    }).catch(() => null);
    if (openssl) expect(openssl.stdout.trim().split(/\s+/).pop()).toBe(result.signature);

    const script = path.join(PROJECT_ROOT, 'scripts', 'verify-checkout.ts');
    const verify = (r: { order_id: string; payment_id: string; signature: string }) =>
      run(process.execPath, [script, '--secret', a.whsec, '--order-id', r.order_id, '--payment-id', r.payment_id, '--signature', r.signature]).then(
        (x) => ({ code: 0, out: x.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    expect(await verify(result)).toMatchObject({ code: 0, out: expect.stringMatching(/^PASS/) });
    const other = (await pay((await session()).id, card())).body.result;
    expect((await verify({ ...result, payment_id: other.payment_id })).code).toBe(1);
    expect((await verify({ ...result, order_id: other.order_id })).code).toBe(1);
    expect((await verify({ ...result, signature: other.signature })).code).toBe(1);
    expect((await verify({ ...result, signature: result.signature.replace(/.$/, (c: string) => (c === '0' ? '1' : '0')) })).code).toBe(1);
    const demo = await run(process.execPath, [script]);
    expect(demo.stdout.trim().split('\n').every((l) => l.startsWith('PASS'))).toBe(true);
  });

  it('retries after a decline on the same order, with a new payment', async () => {
    const s = await session();
    const declined = await pay(s.id, card(CARDS.declined));
    expect(declined.status, declined.text).toBe(200);
    expect(declined.body).toMatchObject({ status: 'open', result: null, payment: { status: 'failed', failure_code: 'card_declined' } });
    expect(declined.body.payment.failure_message).toBeTruthy();
    const ok = await pay(s.id, card(CARDS.mastercard));
    expect(ok.body.status).toBe('complete');
    const payments = await orderPayments(a, s.order_id);
    expect(payments.map((p) => p.status).sort()).toEqual(['failed', 'success']);
  });

  it('never takes two successful payments for one order: concurrent pays from two sessions, and a double click', async () => {
    const order = (await a.api.post('/orders', { amount: 700, currency: 'INR' })).body;
    const s1 = await session(a, { order_id: order.id });
    const s2 = await session(a, { order_id: order.id });
    const answers = await Promise.all([...Array(5)].flatMap(() => [pay(s1.id, card()), pay(s2.id, card(CARDS.rupay))]));
    const ok = answers.filter((r) => r.status === 200);
    expect(ok, answers.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join('\n')).toHaveLength(1);
    for (const r of answers.filter((x) => x.status !== 200)) expectError(r, 409, { code: 'order_already_paid' });
    const payments = await orderPayments(a, order.id);
    expect(payments.filter((p) => p.status === 'success')).toHaveLength(1);
    // Both sessions of the paid order are complete, with the one payment.
    for (const s of [s1, s2]) expect((await a.api.get(`/checkout/sessions/${s.id}`)).body).toMatchObject({ status: 'complete', payment_id: ok[0]!.body.result.payment_id });

    // The same Idempotency-Key twice at once (a double click): one payment, the same answer twice.
    const s3 = await session();
    const key = idemKey();
    const [x, y] = await Promise.all([pay(s3.id, card(), key), pay(s3.id, card(), key)]);
    expect([x.status, y.status]).toEqual([200, 200]);
    expect(x.text).toBe(y.text);
    expect([x, y].filter((r: ApiResponse) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    expect(await orderPayments(a, s3.order_id)).toHaveLength(1);
  });

  it('waits on a pending UPI payment, refuses a second one meanwhile, and completes when it is simulated', async () => {
    const s = await session();
    const pending = await pay(s.id, { method: 'upi', vpa: 'pending@sandpay' });
    expect(pending.body).toMatchObject({ status: 'open', payment: { status: 'pending', next_action: 'wait' } });
    expectError(await pay(s.id, card()), 409, { code: 'payment_in_progress' });
    const paymentId = pending.body.payment.id;
    expect((await a.api.post(`/payments/${paymentId}/simulate`, { outcome: 'success' })).status).toBe(200);
    const state = (await root.get(`/checkout/${s.id}/status`)).body;
    expect(state).toMatchObject({ status: 'complete', result: { payment_id: paymentId, order_id: s.order_id, signature: sign(a, s.order_id, paymentId) } });

    // A payer may give up on a pending payment to pay another way.
    const s2 = await session();
    await pay(s2.id, { method: 'upi', vpa: 'pending@sandpay' });
    const cancelled = await root.post(`/checkout/${s2.id}/cancel-payment`, {});
    expect(cancelled.body).toMatchObject({ status: 'open', payment: { status: 'failed', failure_code: 'payment_cancelled' } });
    expect((await pay(s2.id, { method: 'wallet', wallet: 'paytm' })).body.status).toBe('complete');
    expectError(await pay((await session(a, { amount: 100, currency: 'INR', methods: ['card'] })).id, { method: 'upi', vpa: 'asha@ybl' }), 400, { code: 'payment_method_unavailable' });
  });

  it('shows the 3-D Secure challenge for its test card, which completes or fails the payment', async () => {
    const s = await session();
    const challenged = await pay(s.id, card(CARDS.delayed));
    expect(challenged.body).toMatchObject({ status: 'open', payment: { status: 'pending', next_action: 'three_ds_challenge' } });
    const failed = await root.post(`/checkout/${s.id}/authenticate`, { outcome: 'fail' });
    expect(failed.body).toMatchObject({ status: 'open', payment: { status: 'failed', failure_code: 'authentication_failed' } });
    expectError(await root.post(`/checkout/${s.id}/authenticate`, { outcome: 'complete' }), 409, { code: 'no_challenge' });
    await pay(s.id, card(CARDS.delayed));
    const done = await root.post(`/checkout/${s.id}/authenticate`, { outcome: 'complete' });
    expect(done.body).toMatchObject({ status: 'complete', payment: { status: 'success' } });
    // Through the API, the same card still succeeds on its own after delay_ms.
    const viaApi = await a.api.post('/payments', { amount: 100, currency: 'INR', ...card(CARDS.delayed) }, { idem: idemKey() });
    expect(viaApi.body.status).toBe('pending');
  });

  it('expires by its job (checkout.session.expired), after which the page and pay say so', async () => {
    const s = await session(a, { amount: 100, currency: 'INR', expires_in: 1 });
    const expired = await eventually(() => a.api.get(`/checkout/sessions/${s.id}`), (r) => r.body.status === 'expired');
    expect(expired.body.status).toBe('expired');
    const event = await eventually(() => a.api.get('/events?type=checkout.session.expired'), (r) => r.body.data.some((e: any) => e.data.object.id === s.id));
    expect(event.status).toBe(200);
    expectError(await pay(s.id, card()), 409, { code: 'session_expired' });
    expect((await root.get(`/checkout/${s.id}/status`)).body.status).toBe('expired');
    const page = await fetch(s.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<section class="screen" id="screen-expired"[^>]*\s>/);
  });

  it('keeps the card number out of the database and the payment answer', async () => {
    const s = await session();
    const res = await pay(s.id, card(CARDS.insufficientFunds));
    expect(res.text).not.toContain(CARDS.insufficientFunds);
    const hits = await sys.sql<{ n: string }>(
      `SELECT (SELECT count(*) FROM events WHERE payload::text LIKE $1) + (SELECT count(*) FROM audit_log WHERE metadata::text LIKE $1)
            + (SELECT count(*) FROM idempotency_keys WHERE response_body LIKE $1) + (SELECT count(*) FROM payments p WHERE row_to_json(p)::text LIKE $1)
            + (SELECT count(*) FROM checkout_sessions c WHERE row_to_json(c)::text LIKE $1) AS n`,
      [`%${CARDS.insufficientFunds}%`],
    );
    expect(Number(hits[0]!.n)).toBe(0);
  });

  it('limits the publishable key per client IP, and not the secret key', async () => {
    const pk = a.api.withKey(a.pk);
    const order = (await a.api.post('/orders', { amount: 100, currency: 'INR' })).body;
    let limited: ApiResponse | undefined;
    for (let i = 0; i <= PK_MAX && !limited; i++) {
      const r = await pk.post('/checkout/sessions', { order_id: order.id });
      if (r.status === 429) limited = r;
      else expect(r.status, r.text).toBe(201);
    }
    expect(limited, 'no 429 within the limit').toBeDefined();
    expectError(limited!, 429, { type: 'rate_limit_error' });
    expect((await a.api.post('/checkout/sessions', { order_id: order.id })).status).toBe(201);
  });
});

describe('origins', () => {
  it('parses origins strictly and frames by the opener, the allowed list, or (outside production) anyone', () => {
    expect(parseOrigin('https://Shop.example:8443/')).toBe('https://shop.example:8443');
    for (const bad of ['null', 'https://shop.example/path', 'ftp://x.example', 'https://u:p@x.example', 'https://x.example?q', 'javascript:alert(1)', '', undefined]) {
      expect(parseOrigin(bad), String(bad)).toBeNull();
    }
    expect(frameAncestors({ allowed: [], production: false }, null)).toBe('*');
    expect(frameAncestors({ allowed: [], production: true }, null)).toBe("'none'");
    expect(frameAncestors({ allowed: ['https://a.example', 'https://b.example'], production: true }, null)).toBe('https://a.example https://b.example');
    expect(frameAncestors({ allowed: [], production: false }, 'http://localhost:5173')).toBe('http://localhost:5173');
    expect(() => assertOpenerAllowed({ allowed: [], production: false }, null)).not.toThrow();
    expect(() => assertOpenerAllowed({ allowed: [], production: true }, 'https://a.example')).toThrow(/checkout.allowed_origins/);
    expect(() => assertOpenerAllowed({ allowed: ['https://a.example'], production: true }, 'https://b.example')).toThrow(/not in checkout.allowed_origins/);
    expect(() => assertOpenerAllowed({ allowed: ['https://a.example'], production: true }, 'https://a.example')).not.toThrow();
  });
});

describe('logs', () => {
  it('never see the card number, at the most verbose level', async () => {
    const lines: string[] = [];
    const database = await createTestDatabase();
    const config = loadConfig(testEnv(database.url, { LOG_LEVEL: 'trace' }));
    const runtime = await startRuntime(config, createLogger('trace', { write: (line: string) => void lines.push(line) }));
    try {
      const t = await registerTenant(runtime.url!, 'Logged Shop');
      const s = (await t.api.post('/checkout/sessions', { amount: 100, currency: 'INR' })).body;
      const client = new Client(runtime.url!);
      const paid = (number: string) => client.post(`/checkout/${s.id}/pay`, card(number), { headers: { 'idempotency-key': idemKey() } });
      expect((await paid(CARDS.processingError)).status).toBe(200);
      // Rejected ones too (a known card with a bad cvc), and malformed JSON carrying a number.
      expect((await client.post(`/checkout/${s.id}/pay`, { method: 'card', card: { number: CARDS.amex, exp_month: 12, exp_year: 2030, cvc: '1' } })).status).toBe(400);
      expect((await client.request('POST', `/checkout/${s.id}/pay`, { rawBody: `{"card":{"number":"${CARDS.mastercard}"` })).status).toBe(400);
      expect((await paid(CARDS.visa)).status).toBe(200);
      expect(lines.length).toBeGreaterThan(5);
      const all = lines.join('');
      for (const n of [CARDS.processingError, CARDS.visa, CARDS.amex, CARDS.mastercard]) expect(all).not.toContain(n);
    } finally {
      await runtime.stop();
      await database.drop();
    }
  });
});

import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/core/json-guard.ts';
import { Client, expectError, idemKey, registerTenant, type ApiResponse, type TestTenant } from '../support/client.ts';
import { basicAuth, razorpayKeys, type RazorpayKeys } from '../support/razorpay.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let root: Client;
let tenant: TestTenant;
let rzp: RazorpayKeys;

beforeAll(async () => {
  sys = await startTestSystem();
  root = new Client(sys.url);
  tenant = await registerTenant(sys.url);
  rzp = await razorpayKeys(tenant);
});
afterAll(() => sys?.stop());
afterEach(() => vi.restoreAllMocks());

const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** Just under the 100 kB body limit: 50,000 levels, enough to overflow any recursive walk. */
const DEEP = arrays(50_000);

/** Razorpay's reasons are its own (input_validation_failed for a refused request), never Sandpay's codes. */
function expectRazorpayShape(res: ApiResponse, description: RegExp) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST_ERROR', description: expect.stringMatching(description), source: 'business', step: expect.any(String), reason: 'input_validation_failed', metadata: {} });
}

/** Whether any JSON.parse in this process was handed the payload (the server runs in it). */
function parsed(spy: { mock: { calls: unknown[][] } }, payload: string) {
  return spy.mock.calls.some(([text]) => typeof text === 'string' && text.length >= payload.length);
}

describe('deeply nested JSON', () => {
  const native: [string, string, Record<string, string>][] = [
    ['sign-in (no credential)', '/api/v1/dashboard/session', {}],
    ['register', '/api/v1/auth/register', {}],
    ['key rotation', '/api/v1/auth/keys/rotate', {}],
    ['payment create', '/api/v1/payments', { 'idempotency-key': 'deep-1' }],
    ['hosted checkout pay', '/checkout/cs_00000000000000000000/pay', {}],
    ['admin', '/api/v1/admin/dlq/replay', { authorization: `Bearer ${ADMIN_TOKEN}` }],
  ];

  it.each(native)('%s: 400 json_too_deep in the native shape, refused before JSON.parse sees it', async (_name, path, headers) => {
    const spy = vi.spyOn(JSON, 'parse');
    const key = path.includes('/auth/keys') || path.endsWith('/payments') ? tenant.sk : null;
    const res = await root.post(path, undefined, { rawBody: DEEP, key, headers });
    expectError(res, 400, { type: 'invalid_request_error', code: 'json_too_deep' });
    expect(parsed(spy, DEEP)).toBe(false);
    expect((await root.get('/health')).status).toBe(200);
  });

  it('a Razorpay write (/v1): 400 in Razorpay\'s shape, refused before JSON.parse sees it', async () => {
    const spy = vi.spyOn(JSON, 'parse');
    const res = await root.post('/v1/orders', undefined, { rawBody: DEEP, key: null, headers: { authorization: basicAuth(rzp) } });
    expectRazorpayShape(res, /nests objects and arrays more than 32 levels deep/);
    expect(parsed(spy, DEEP)).toBe(false);
    const order = await root.post('/v1/orders', { amount: 5000, currency: 'INR' }, { key: null, headers: { authorization: basicAuth(rzp) } });
    expect(order.status, order.text).toBe(200);
  });

  it(`counts depth exactly: ${MAX_JSON_DEPTH} levels reach validation, ${MAX_JSON_DEPTH + 1} do not; brackets inside strings do not count`, async () => {
    const post = (rawBody: string) => tenant.api.post('/orders', undefined, { rawBody, idem: idemKey() });
    const deepest = await post(objects(MAX_JSON_DEPTH));
    expect(deepest.status).toBe(400);
    expect(deepest.body.error.code).toBe('parameter_missing'); // validation ran: no amount
    expectError(await post(objects(MAX_JSON_DEPTH + 1)), 400, { code: 'json_too_deep' });
    expectError(await post(arrays(MAX_JSON_DEPTH + 1)), 400, { code: 'json_too_deep' });
    const brackets = await post(JSON.stringify({ amount: 5000, currency: 'INR', receipt: '['.repeat(40) + '\\"{'.repeat(15) }));
    expect(brackets.status, brackets.text).toBe(201);
    expect(brackets.body.receipt).toBe('['.repeat(40) + '\\"{'.repeat(15));
  });

  it('a body in another charset than UTF-8 is refused (the depth scan reads UTF-8)', async () => {
    const res = await root.post('/api/v1/auth/register', undefined, { rawBody: '{}', headers: { 'content-type': 'application/json; charset=utf-16le' } });
    expectError(res, 415, { code: 'unsupported_charset' });
  });
});

describe('text that is not Unicode', () => {
  it('invalid UTF-8 bytes in a string: 400 naming the field, nothing stored', async () => {
    const body = Buffer.concat([Buffer.from('{"amount":3300,"currency":"INR","receipt":"ab'), Buffer.from([0xff, 0xfe]), Buffer.from('cd"}')]);
    const res = await fetch(`${sys.url}/api/v1/orders`, {
      method: 'POST', body, headers: { authorization: `Bearer ${tenant.sk}`, 'content-type': 'application/json', 'idempotency-key': idemKey() },
    });
    const parsedBody = { status: res.status, headers: res.headers, text: await res.text() } as ApiResponse;
    parsedBody.body = JSON.parse(parsedBody.text);
    expectError(parsedBody, 400, { code: 'parameter_invalid', param: 'receipt' });
    expect(await sys.sql(`SELECT 1 FROM orders WHERE receipt LIKE '%' || chr(65533) || '%'`)).toEqual([]);
  });

  it('a lone surrogate escape in a string or a key: 400 naming the field', async () => {
    const post = (rawBody: string) => tenant.api.post('/orders', undefined, { rawBody, idem: idemKey() });
    expectError(await post('{"amount":3300,"currency":"INR","receipt":"ab\\ud800"}'), 400, { code: 'parameter_invalid', param: 'receipt' });
    expectError(await post('{"amount":3300,"currency":"INR","metadata":{"k":"\\udfff"}}'), 400, { code: 'parameter_invalid', param: 'metadata.k' });
    expectError(await post('{"amount":3300,"currency":"INR","metadata":{"\\ud800x":"v"}}'), 400, { code: 'parameter_invalid' });
    // A pair is a character like any other.
    const ok = await post('{"amount":3300,"currency":"INR","receipt":"\\ud83d\\ude00"}');
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.receipt).toBe('😀');
    expect(await sys.sql(`SELECT 1 FROM orders WHERE receipt LIKE '%' || chr(65533) || '%'`)).toEqual([]);
  });
});

/** One raw HTTP/1.1 exchange, read to the end (fetch cannot send a header past Node's limit reliably). */
function rawExchange(request: string): Promise<{ status: number; headers: string; body: string }> {
  const url = new URL(sys.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err) => (chunks.length > 0 ? socket.emit('close') : reject(err)));
    socket.once('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split(/\r\n\r\n(.*)/s);
      resolve({ status: Number(head.split(' ')[1]), headers: head, body });
    });
    socket.write(request);
  });
}

describe('a header past the server limit', () => {
  const big = 'x'.repeat(70 * 1024);

  it('431 with a body in the native error shape', async () => {
    const res = await rawExchange(`GET /api/v1/payments HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers).toMatch(/content-type: application\/json/i);
    const body = JSON.parse(res.body);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'request_headers_too_large', message: expect.any(String) });
    expect(res.headers).toContain(`X-Request-Id: ${body.error.request_id}`);
    expect((await root.get('/health')).status).toBe(200);
  });

  it("431 in Razorpay's shape on /v1", async () => {
    const res = await rawExchange(`POST /v1/orders HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'BAD_REQUEST_ERROR', reason: 'input_validation_failed', metadata: {} });
  });

  it('bytes that are not HTTP: 400 in the error shape', async () => {
    const res = await rawExchange('NOT HTTP AT ALL\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ type: 'invalid_request_error', code: 'malformed_request' });
  });
});

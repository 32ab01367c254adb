import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { Client, idemKey, registerTenant, type ApiResponse, type TestTenant } from '../support/client.ts';
import { eventually } from '../support/payments.ts';
import { basicAuth, razorpayKeys, type RazorpayKeys } from '../support/razorpay.ts';
import { createTestDatabase, testEnv } from '../support/system.ts';

/**
 * Each way a secret or card number used to reach the request log (kept 72 h, read by any
 * dashboard session) or stdout: after one request, neither the stored row (every column, read
 * from the database and through the API) nor any log line holds it, and its masked form is there.
 */

const SK = 'sk_test_' + 'Q7w'.repeat(10) + 'Zz';
const JWT = 'eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZW5feCIsImF1ZCI6Imh0dHA6Ly94In0.' + 'S1g'.repeat(28);
const CARD = '4242424242424242';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let runtime: Runtime;
let sql: pg.Pool;
let tenant: TestTenant;
let rzp: RazorpayKeys;
const lines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig(testEnv(db.url, { LOG_LEVEL: 'debug' }));
  runtime = await startRuntime(config, createLogger('debug', { write: (s: string) => void lines.push(s) }));
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
  sql.on('error', () => {});
  tenant = await registerTenant(runtime.url!);
  rzp = await razorpayKeys(tenant);
});
afterAll(async () => {
  await runtime?.stop();
  await sql?.end();
  await db?.drop();
});

/** The request's row, through the API and as every column of the table reads. */
async function logged(res: ApiResponse): Promise<{ entry: Record<string, any>; row: string }> {
  const id = res.headers.get('x-request-id')!;
  const page = await eventually(() => tenant.api.get(`/request-log?request_id=${encodeURIComponent(id)}`), (r) => r.body?.data?.length === 1);
  const [row] = (await sql.query('SELECT row_to_json(r)::text AS text FROM request_log r WHERE request_id = $1', [id])).rows;
  return { entry: page.body.data[0], row: row.text };
}

/** The stdout line of the request (pino-http's), once written, and every line so far. */
async function stdout(res: ApiResponse): Promise<{ line: Record<string, any>; all: string }> {
  const id = res.headers.get('x-request-id')!;
  const mine = () => lines.map((l) => JSON.parse(l)).find((l) => l.req?.id === id && l.res);
  await eventually(async () => mine(), (l) => l !== undefined);
  return { line: mine()!, all: lines.join('') };
}

function expectNowhere(secret: string, ...places: string[]) {
  for (const place of places) expect(place).not.toContain(secret);
}

describe('secrets never reach the request log or stdout', () => {
  it.each([['jwt'], ['bearer'], ['access_token']])('a JWT in ?%s=', async (name) => {
    const res = await tenant.api.get(`/payments?${name}=${JWT}&limit=2`);
    const { entry, row } = await logged(res);
    const { line, all } = await stdout(res);
    expectNowhere(JWT, JSON.stringify(entry), row, all);
    expectNowhere(JWT.split('.')[2]!, row, all);
    expect(entry.query).toBe(`${name}=[REDACTED]&limit=2`);
    expect(line.req.url).toBe(`/api/v1/payments?${name}=[REDACTED]&limit=2`);
  });

  it('a JWT in a query parameter of any name, and in a path', async () => {
    const res = await tenant.api.get(`/payments?q=${JWT}`);
    const { entry, row } = await logged(res);
    const path = await tenant.api.get(`/payments/${JWT}`);
    const { line, all } = await stdout(path);
    expectNowhere(JWT, JSON.stringify(entry), row, all);
    expect(entry.query).toBe('q=[REDACTED]');
    expect(line.req.url).toBe('/api/v1/payments/[REDACTED]');
  });

  it.each([
    ['a card number', `card-${CARD}`, 'card-••••4242'],
    ['a grouped card number', '4242 4242 4242 4242', '••••4242'],
    ['a secret key', `retry-${SK}`, `retry-sk_test_…${SK.slice(-4)}`],
  ])('%s inside Idempotency-Key', async (_name, key, masked) => {
    const res = await tenant.api.post('/orders', { amount: 3300, currency: 'INR' }, { idem: key });
    expect(res.status, res.text).toBe(201);
    const { entry, row } = await logged(res);
    const { all } = await stdout(res);
    expectNowhere(CARD, JSON.stringify(entry), row, all);
    expectNowhere(SK, JSON.stringify(entry), row, all);
    expect(entry.idempotency_key).toBe(masked);
  });

  it('a secret key in Sandpay-Fault: masked in error.message as in response_body', async () => {
    const res = await tenant.api.get('/payments', { headers: { 'Sandpay-Fault': SK } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_fault');
    const { entry, row } = await logged(res);
    const { all } = await stdout(res);
    expectNowhere(SK, JSON.stringify(entry), row, all);
    expect(entry.error.message).toContain(`sk_test_…${SK.slice(-4)}`);
    expect(JSON.parse(entry.response_body).error.message).toBe(entry.error.message);
  });

  it('a secret key as X-Request-Id: replaced with a request id of our own, never echoed', async () => {
    const res = await tenant.api.get('/payments?limit=1', { headers: { 'X-Request-Id': SK } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9A-Za-z]{20}$/);
    const { entry, row } = await logged(res);
    const { line, all } = await stdout(res);
    expectNowhere(SK, JSON.stringify(entry), row, all, res.text);
    expect(entry.request_id).toBe(res.headers.get('x-request-id'));
    expect(line.req.id).toBe(entry.request_id);
    // An error answer's request_id is the replacement too.
    const bad = await tenant.api.get('/payments?limit=0', { headers: { 'X-Request-Id': `trace-${CARD}` } });
    expect(bad.body.error.request_id).toBe(bad.headers.get('x-request-id'));
    expectNowhere(CARD, bad.text, (await logged(bad)).row, (await stdout(bad)).all);
  });

  it('a card number used as a JSON key', async () => {
    const res = await tenant.api.post('/orders', { amount: 3300, currency: 'INR', metadata: { [CARD]: 'x', note: 'ok' } }, { idem: idemKey() });
    const { entry, row } = await logged(res);
    const { all } = await stdout(res);
    expectNowhere(CARD, JSON.stringify(entry), row, all);
    expect(JSON.parse(entry.request_body).metadata).toEqual({ '••••4242': 'x', note: 'ok' });
  });

  it.each([
    ['dots', '4242.4242.4242.4242'],
    ['double spaces', '4242  4242  4242  4242'],
    ['mixed separators', '4242 - 4242 - 4242_4242'],
    ['a cvc after it', '4242 4242 4242 4242 123'],
    ['slashes', '4242/4242/4242/4242'],
    ['commas', '4242,4242,4242,4242'],
    ['URL-encoded spaces', '4242%204242%204242%204242'],
  ])('a card number written with %s', async (_name, written) => {
    const res = await tenant.api.post('/orders', { amount: 3300, currency: 'INR', receipt: `paid with ${written}` }, { idem: idemKey() });
    expect(res.status, res.text).toBe(201);
    const { entry, row } = await logged(res);
    // No run of 12 or more digits, however separated, is left of it.
    for (const text of [JSON.stringify(entry), row]) expect(text).not.toMatch(/\d(?:(?:[\s._,/+-]|%20){0,3}\d){11,}/);
    expect(JSON.parse(entry.request_body).receipt).toMatch(/^paid with ••••4242/);
    expect(JSON.parse(entry.response_body).receipt).toMatch(/^paid with ••••4242/);
  });

  it('a card number sent as a JSON number', async () => {
    const res = await tenant.api.post('/orders', { amount: 3300, currency: 'INR', metadata: { a: Number(CARD) } }, { idem: idemKey() });
    expect(res.status, res.text).toBe(201);
    const { entry, row } = await logged(res);
    const { all } = await stdout(res);
    expectNowhere(CARD, JSON.stringify(entry), row, all);
    expect(JSON.parse(entry.request_body).metadata).toEqual({ a: '••••4242' });
    expect(JSON.parse(entry.request_body).amount).toBe(3300);
  });

  it('a card number at the end of an Idempotency-Key too long to take: masked before it is cut to size', async () => {
    const key = `${'k'.repeat(245)}${CARD}`;
    const res = await tenant.api.post('/orders', { amount: 3300, currency: 'INR' }, { idem: key });
    expect(res.status, res.text).toBe(400);
    const { entry, row } = await logged(res);
    for (const text of [JSON.stringify(entry), row]) expect(text).not.toMatch(/42424242/);
    expect(entry.idempotency_key).toMatch(/••••4242$/);
  });

  it('a token in a webhook endpoint URL: kept out of the audit log, which nobody can edit', async () => {
    const res = await tenant.api.post('/webhook-endpoints', { url: `http://127.0.0.1:9/hooks?token=${SK}&card=${CARD}`, events: ['*'] }, { idem: idemKey() });
    expect(res.status, res.text).toBe(201);
    await tenant.api.patch(`/webhook-endpoints/${res.body.id}`, { url: `http://127.0.0.1:9/hooks?token=${SK}x` }, { idem: idemKey() });
    const rows = (await sql.query(`SELECT metadata::text AS m FROM audit_log WHERE object_id = $1`, [res.body.id])).rows.map((r) => r.m as string);
    expect(rows).toHaveLength(2);
    expectNowhere(SK, ...rows);
    expectNowhere(CARD, ...rows);
    expect(rows[0]).toContain('token=[REDACTED]');
  });

  it('a Razorpay key_secret in any query parameter', async () => {
    const res = await tenant.api.get(`/payments?limit=1&hint=${rzp.key_secret}&${rzp.key_secret}`);
    const { entry, row } = await logged(res);
    expectNowhere(rzp.key_secret, JSON.stringify(entry), row, (await stdout(res)).all);
    expect(entry.query).toBe('limit=1&hint=[REDACTED]&[REDACTED]');
    // The Razorpay face (/v1, not in the request log) on stdout.
    const face = await new Client(runtime.url!).get(`/v1/orders?count=1&hint=${rzp.key_secret}`, { key: null, headers: { authorization: basicAuth(rzp) } });
    const { line, all } = await stdout(face);
    expectNowhere(rzp.key_secret, all);
    expect(line.req.url).toBe('/v1/orders?count=1&hint=[REDACTED]');
  });

  it('a Razorpay key pair pasted as text', async () => {
    const pair = `${rzp.key_id}:${rzp.key_secret}`;
    const res = await tenant.api.post('/orders', { amount: 3300, currency: 'INR', receipt: pair }, { idem: idemKey() });
    const { entry, row } = await logged(res);
    expectNowhere(rzp.key_secret, JSON.stringify(entry), row, lines.join(''));
    expect(JSON.parse(entry.request_body).receipt).toBe(`rzp_test_…${rzp.key_id.slice(-4)}:…${rzp.key_secret.slice(-4)}`);
  });
});

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/jobs/boss.ts';
import { expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;

beforeAll(async () => {
  // The default lock bound (5 s): 50 waiters on one key must all get the replay, even under load.
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
});
afterAll(() => sys?.stop());

const countPayments = async (tenantId: string) => Number((await sys.sql<{ n: string }>('SELECT count(*) AS n FROM payments WHERE tenant_id = $1', [tenantId]))[0]!.n);

describe('Idempotency-Key on POST /payments', () => {
  it('50 concurrent creates with one key make exactly one payment and 50 identical bodies', async () => {
    const tenant = await registerTenant(sys.url);
    const key = idemKey();
    const responses = await Promise.all(Array.from({ length: 50 }, () => tenant.api.post('/payments', cardBody(), { idem: key })));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(responses.map((r) => r.text)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);
    expect(await countPayments(tenant.id)).toBe(1);
    const events = await sys.sql('SELECT type FROM events WHERE tenant_id = $1', [tenant.id]);
    expect(events).toHaveLength(2); // payment.created + payment.success, once
    // The 49 replays started the create speculatively behind their claim (src/http/idempotency.ts):
    // none of it may survive, not even an audit row.
    const audits = await sys.sql('SELECT action FROM audit_log WHERE tenant_id = $1 AND object_type = $2', [tenant.id, 'payment']);
    expect(audits).toHaveLength(2);
  });

  it('replays byte-for-byte, including a key reused from a different client order of JSON keys', async () => {
    const key = idemKey();
    const first = await t.api.post('/payments', cardBody(), { idem: key });
    const body = cardBody();
    const reordered = { card: body.card, method: body.method, currency: body.currency, amount: body.amount };
    const again = await t.api.post('/payments', reordered, { idem: key });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 422 idempotency_key_reused for the same key with a different body or path', async () => {
    const key = idemKey();
    expect((await t.api.post('/payments', cardBody(), { idem: key })).status).toBe(201);
    expectError(await t.api.post('/payments', cardBody(undefined, { amount: 6000 }), { idem: key }), 422, { type: 'idempotency_error', code: 'idempotency_key_reused' });
    expectError(await t.api.post('/orders', { amount: 5000, currency: 'INR' }, { idem: key }), 422, { code: 'idempotency_key_reused' });
  });

  it('does not store a rejected request: the same key works once the body is fixed', async () => {
    const key = idemKey();
    const before = await countPayments(t.id);
    expectError(await t.api.post('/payments', cardBody(undefined, { amount: -5 }), { idem: key }), 400, { param: 'amount' });
    expectError(await t.api.post('/payments', cardBody('4111111111111111'), { idem: key }), 400, { param: 'card.number' });
    const ok = await t.api.post('/payments', cardBody(), { idem: key });
    expect(ok.status).toBe(201);
    expect(await countPayments(t.id)).toBe(before + 1);
  });

  it('requires a key on POST /payments and validates its form', async () => {
    expectError(await t.api.post('/payments', cardBody()), 400, { code: 'idempotency_key_required', param: 'Idempotency-Key' });
    expectError(await t.api.post('/payments', cardBody(), { idem: 'x'.repeat(256) }), 400, { code: 'idempotency_key_invalid' });
  });

  it('answers 409 idempotency_key_in_use when the key stays locked past the bound', async () => {
    const short = await startTestSystem({ IDEMPOTENCY_LOCK_TIMEOUT_MS: '400' });
    const holder = new pg.Client({ connectionString: short.databaseUrl });
    try {
      const tenant = await registerTenant(short.url);
      const key = idemKey();
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`sandpay:idem:${tenant.id}:${key}`]);
      const started = Date.now();
      expectError(await tenant.api.post('/payments', cardBody(), { idem: key }), 409, { type: 'idempotency_error', code: 'idempotency_key_in_use' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      await holder.query('ROLLBACK');
      expect((await tenant.api.post('/payments', cardBody(), { idem: key })).status).toBe(201);
    } finally {
      await holder.end();
      await short.stop();
    }
  });

  it("replays at once even when the create it replays would now wait for a lock (the speculative work fails fast)", async () => {
    // A long statement timeout: if the thrown-away work waited for the lock, the test would time out.
    const patient = await startTestSystem({ DB_STATEMENT_TIMEOUT_MS: '120000' });
    const holder = new pg.Client({ connectionString: patient.databaseUrl });
    try {
      const tenant = await registerTenant(patient.url);
      const order = (await tenant.api.post('/orders', { amount: 5000, currency: 'INR' }, { idem: idemKey() })).body;
      const key = idemKey();
      const body = cardBody(CARDS.declined, { order_id: order.id });
      const first = await tenant.api.post('/payments', body, { idem: key });
      expect(first.status).toBe(201);
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [order.id]);
      const replay = await tenant.api.post('/payments', body, { idem: key });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.text).toBe(first.text);
    } finally {
      await holder.end();
      await patient.stop();
    }
  });

  it('honours keys on other POSTs too (orders)', async () => {
    const key = idemKey();
    const a = await t.api.post('/orders', { amount: 100, currency: 'USD' }, { idem: key });
    const b = await t.api.post('/orders', { amount: 100, currency: 'USD' }, { idem: key });
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it('keys are kept for the TTL, then removed by the cleanup job', async () => {
    const key = idemKey();
    await t.api.post('/orders', { amount: 100, currency: 'USD' }, { idem: key });
    await sys.sql(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
    const fresh = idemKey();
    await t.api.post('/orders', { amount: 100, currency: 'USD' }, { idem: fresh });
    await sys.runtime.boss.send(QUEUES.idempotencyCleanup, {});
    await eventually(() => sys.sql('SELECT key FROM idempotency_keys WHERE key = $1', [key]), (rows) => rows.length === 0);
    expect(await sys.sql('SELECT key FROM idempotency_keys WHERE key = $1', [fresh])).toHaveLength(1);
  });
});

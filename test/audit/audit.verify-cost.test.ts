import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, registerTenant, type TestTenant } from '../support/client.ts';
import { createPayment, eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * GET /audit/verify costs the rows since the newest checkpoint, not the chain's history (issue 27:
 * it read every row on every call, ~16 µs a row, on a route any key can call in a loop); the
 * whole chain is read by a background job with progress. Counted in rows, never timed.
 */
let sys: TestSystem;
let v: TestTenant;

const sealAll = () => sys.runtime.audit.sealer.sealAll();
const rowsAfter = async (chain: string, seq: number) =>
  Number((await sys.sql<{ n: string }>('SELECT count(*) AS n FROM audit_log WHERE chain = $1 AND seq > $2', [chain, seq]))[0]!.n);

async function checkpoint(t: TestTenant): Promise<{ seq: number }> {
  await sealAll();
  const cp = await t.api.post('/audit/checkpoints');
  expect(cp.status, cp.text).toBe(201);
  return cp.body;
}

async function fullVerification(t: TestTenant): Promise<any> {
  const started = await t.api.post('/audit/verifications');
  expect(started.status, started.text).toBe(201);
  expect(started.body).toMatchObject({ object: 'audit_verification', chain: t.id, status: 'queued', result: null });
  const done = await eventually(() => t.api.get(`/audit/verifications/${started.body.id}`), (r) => r.body.status === 'succeeded' || r.body.status === 'failed');
  expect(done.status).toBe(200);
  return done.body;
}

beforeAll(async () => {
  sys = await startTestSystem({ RATE_LIMIT_REGISTER_MAX: '1000' });
  v = await registerTenant(sys.url);
});
afterAll(() => sys?.stop());

describe('GET /audit/verify', () => {
  it('reads only the rows since the newest checkpoint, however long the history', async () => {
    for (let i = 0; i < 5; i++) await createPayment(v.api);
    const first = await checkpoint(v);
    for (let i = 0; i < 2; i++) await createPayment(v.api);
    await sealAll();
    const since = await rowsAfter(v.id, first.seq);
    expect(since).toBe(4); // two payments, created and succeeded
    const r = await v.api.get('/audit/verify');
    expect(r.body).toMatchObject({ ok: true, from_seq: first.seq, rows_checked: since, unsealed_rows: 0, checkpoints_checked: 1 });
    expect(r.body.head.seq).toBe(first.seq + since);

    // Ten times the history; the same few rows since the newest checkpoint.
    for (let i = 0; i < 20; i++) await createPayment(v.api);
    const second = await checkpoint(v);
    for (let i = 0; i < 2; i++) await createPayment(v.api);
    await sealAll();
    const again = await v.api.get('/audit/verify');
    expect(again.body).toMatchObject({ ok: true, from_seq: second.seq, rows_checked: await rowsAfter(v.id, second.seq) });
    expect(again.body.rows_checked).toBe(4);
    expect(second.seq).toBeGreaterThan(40);
  });

  it('reads the whole chain when there is no checkpoint yet', async () => {
    const fresh = await registerTenant(sys.url);
    await createPayment(fresh.api);
    await sealAll();
    expect((await fresh.api.get('/audit/verify')).body).toMatchObject({ ok: true, from_seq: 0, rows_checked: 3 });
  });
});

describe('POST /audit/verifications (the whole chain, in the background)', () => {
  it('reads every row and reports its progress, and finds an edit before the newest checkpoint that the quick check cannot', async () => {
    const t = await registerTenant(sys.url);
    for (let i = 0; i < 3; i++) await createPayment(t.api);
    const cp = await checkpoint(t);

    const whole = await fullVerification(t);
    expect(whole).toMatchObject({ status: 'succeeded', rows_checked: cp.seq, rows_total: cp.seq, error: null });
    expect(whole.result).toMatchObject({ ok: true, from_seq: 0, rows_checked: cp.seq });
    expect(whole.finished_at).not.toBeNull();

    // A superuser edits a row before the checkpoint in place (hash columns untouched).
    const c = new pg.Client({ connectionString: sys.databaseUrl });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await c.query(`UPDATE audit_log SET metadata = '{"x":1}' WHERE chain = $1 AND seq = 2`, [t.id]);
      await c.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
    // The quick check vouches for what the checkpoint covered when it was signed ...
    expect((await t.api.get('/audit/verify')).body).toMatchObject({ ok: true, from_seq: cp.seq, rows_checked: 0 });
    // ... the full pass reads the row again.
    const after = await fullVerification(t);
    expect(after).toMatchObject({ status: 'succeeded', rows_checked: cp.seq });
    expect(after.result).toMatchObject({ ok: false, first_bad_seq: 2, reason: 'edited' });
  });

  it("is the tenant's own: another tenant's id is a 404", async () => {
    const started = await v.api.post('/audit/verifications');
    expect(started.status).toBe(201);
    const other = await registerTenant(sys.url);
    expectError(await other.api.get(`/audit/verifications/${started.body.id}`), 404, { code: 'resource_missing' });
    expectError(await new Client(sys.url + '/api/v1', other.sk).get('/audit/verifications/aver_nope'), 404, { code: 'resource_missing' });
  });
});

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { createPayment } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  await Promise.all(Array.from({ length: 10 }, () => createPayment(t.api)));
});
afterAll(() => sys?.stop());

/** A superuser session, as a DBA with full rights would have. */
async function superuser<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: sys.databaseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('audit log (WORM)', () => {
  it('keeps an intact hash chain under concurrent appends', async () => {
    const v = await t.api.get('/audit/verify');
    expect(v.body).toEqual({ ok: true, chain: t.id, rows_checked: 21 }); // tenant.created + 10 x (created, success)
    const seqs = await sys.sql<{ seq: string }>('SELECT seq FROM audit_log WHERE chain = $1 ORDER BY seq', [t.id]);
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET action = 'x'`],
    ['DELETE', 'DELETE FROM audit_log'],
    ['TRUNCATE', 'TRUNCATE audit_log'],
  ])('refuses %s, even for a superuser', async (op, sql) => {
    await superuser(async (c) => {
      await expect(c.query(sql)).rejects.toThrow(new RegExp(`audit_log is append-only: ${op}`));
    });
    expect((await t.api.get('/audit/verify')).body.ok).toBe(true);
  });

  it('detects an edit made with the triggers disabled', async () => {
    const victim = await registerTenant(sys.url);
    const p = await createPayment(victim.api);
    const [row] = await sys.sql<{ id: string; seq: string }>(`SELECT id, seq FROM audit_log WHERE object_id = $1 AND new_status = 'success'`, [p.id]);
    await superuser(async (c) => {
      await c.query('BEGIN');
      await c.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await c.query(`UPDATE audit_log SET new_status = 'failed' WHERE id = $1`, [row!.id]);
      await c.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
      await c.query('COMMIT');
    });
    const v = await victim.api.get('/audit/verify');
    expect(v.body.ok).toBe(false);
    expect(v.body.first_bad_row).toMatchObject({ seq: Number(row!.seq), id: Number(row!.id), reason: 'row contents do not match its hash' });
    // Other tenants' chains are unaffected.
    expect((await t.api.get('/audit/verify')).body.ok).toBe(true);
  });

  it('detects a deleted row and a recomputed row that no longer links', async () => {
    const victim = await registerTenant(sys.url);
    await createPayment(victim.api);
    await createPayment(victim.api);
    await superuser(async (c) => {
      await c.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await c.query(`DELETE FROM audit_log WHERE chain = $1 AND seq = 3`, [victim.id]);
      await c.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
    });
    const v = await victim.api.get('/audit/verify');
    expect(v.body).toMatchObject({ ok: false, first_bad_row: { seq: 4 } });
  });
});

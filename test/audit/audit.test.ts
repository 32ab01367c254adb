import { verify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { ADMIN_TOKEN, startTestSystem, testEnv, type TestSystem } from '../support/system.ts';
import { Client, expectError, registerTenant, type TestTenant } from '../support/client.ts';
import { createPayment } from '../support/payments.ts';

let sys: TestSystem;
let t: TestTenant;
let admin: Client;

/** A victim tenant per tampering test: more registrations than the per-IP limit allows (every process on the database counts them). */
const MANY_TENANTS = { RATE_LIMIT_REGISTER_MAX: '1000' };

/** Seals what is committed, as the sealer does moments after each commit. */
const sealAll = () => sys.runtime.audit.sealer.sealAll();

beforeAll(async () => {
  sys = await startTestSystem(MANY_TENANTS);
  admin = new Client(sys.url + '/api/v1', ADMIN_TOKEN);
  t = await registerTenant(sys.url);
  await Promise.all(Array.from({ length: 10 }, () => createPayment(t.api)));
  await sealAll();
});
afterAll(() => sys?.stop());

/** A superuser session, as a DBA with full rights would have (a table owner can do the same). */
async function superuser<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: sys.databaseUrl });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    const out = await fn(c);
    await c.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
    await c.query('COMMIT');
    return out;
  } finally {
    await c.end();
  }
}

/** What an attacker does after an edit: recompute every following hash with the database's own function. */
async function rehashFrom(c: pg.Client, chain: string, fromSeq: number): Promise<void> {
  const { rows } = await c.query<{ seq: string }>('SELECT seq FROM audit_log WHERE chain = $1 AND seq >= $2 ORDER BY seq', [chain, fromSeq]);
  for (const { seq } of rows) {
    await c.query(
      `UPDATE audit_log a SET prev_hash = p.h,
              hash = audit_row_hash(p.h, a.chain, a.seq, a.tenant_id, a.object_type, a.object_id, a.action, a.old_status, a.new_status,
                                    a.actor_type, a.actor_id, a.request_id, a.metadata, a.created_at)
         FROM (SELECT coalesce((SELECT hash FROM audit_log WHERE chain = $1 AND seq = $2::bigint - 1), repeat('0', 64)) AS h) p
        WHERE a.chain = $1 AND a.seq = $2`,
      [chain, seq],
    );
  }
}

/** A tenant with `payments` payments (1 + 2 each rows), sealed, and a checkpoint of its head. */
async function victim(payments = 3, checkpoint = true): Promise<TestTenant & { rows: number }> {
  const v = await registerTenant(sys.url);
  for (let i = 0; i < payments; i++) await createPayment(v.api);
  await sealAll();
  if (checkpoint) expect((await v.api.post('/audit/checkpoints')).status).toBe(201);
  return { ...v, rows: 1 + 2 * payments };
}

describe('the keyed audit chain', () => {
  it('chains every committed row, in order, under concurrent appends', async () => {
    const v = await t.api.get('/audit/verify');
    expect(v.body).toMatchObject({ ok: true, chain: t.id, rows_checked: 21, unsealed_rows: 0, legacy_rows: 0 }); // tenant.created + 10 x (created, success)
    const rows = await sys.sql<{ seq: string; mac: string | null }>('SELECT seq, mac FROM audit_log WHERE chain = $1 ORDER BY seq', [t.id]);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.mac ?? ''))).toBe(true);
  });

  it('is sealed moments after the commit, without being asked', async () => {
    const fresh = await registerTenant(sys.url);
    await createPayment(fresh.api);
    const deadline = Date.now() + 10_000;
    let v;
    do {
      v = await fresh.api.get('/audit/verify');
      if (v.body.unsealed_rows === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < deadline);
    expect(v.body).toMatchObject({ ok: true, rows_checked: 3, unsealed_rows: 0 });
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET action = 'x'`],
    ['DELETE', 'DELETE FROM audit_log'],
    ['TRUNCATE', 'TRUNCATE audit_log'],
  ])('refuses %s, even for a superuser', async (op, sql) => {
    await expect(sys.sql(sql)).rejects.toThrow(new RegExp(`audit_log is append-only: ${op}`));
    expect((await t.api.get('/audit/verify')).body.ok).toBe(true);
  });

  it('allows only the seal: chain columns from NULL, nothing else, once', async () => {
    await expect(sys.sql(`UPDATE audit_log SET hash = repeat('a', 64) WHERE chain = $1 AND seq = 1`, [t.id])).rejects.toThrow(/append-only: UPDATE/);
    const [row] = await sys.sql<{ id: string }>(
      `INSERT INTO audit_log (chain, tenant_id, object_type, object_id, action, actor_type, mac)
       VALUES ('global', NULL, 'x', 'x', 'x.test', 'system', repeat('0', 64)) RETURNING id`,
    );
    await expect(sys.sql(`UPDATE audit_log SET seq = 999, prev_hash = 'p', hash = 'h', action = 'y' WHERE id = $1`, [row!.id])).rejects.toThrow(/append-only: UPDATE/);
    await expect(sys.sql(`UPDATE audit_log SET seq = 999 WHERE id = $1`, [row!.id])).rejects.toThrow(/audit_log_sealed_together|append-only/);
    await sys.sql(`UPDATE audit_log SET seq = 999, prev_hash = 'p', hash = 'h' WHERE id = $1`, [row!.id]); // the seal itself
    await expect(sys.sql(`UPDATE audit_log SET seq = 1000, prev_hash = 'p', hash = 'h' WHERE id = $1`, [row!.id])).rejects.toThrow(/append-only: UPDATE/);
  });
});

describe('tampering by a superuser who disables the triggers', () => {
  it('detects an edited row even when every following hash is recomputed with audit_row_hash()', async () => {
    const v = await victim();
    await superuser(async (c) => {
      await c.query(`UPDATE audit_log SET new_status = 'failed' WHERE chain = $1 AND seq = 3`, [v.id]);
      await rehashFrom(c, v.id, 3);
    });
    const r = await v.api.get('/audit/verify');
    expect(r.body).toMatchObject({ ok: false, first_bad_seq: 3, reason: 'edited' });
    // Other tenants' chains are unaffected.
    expect((await t.api.get('/audit/verify')).body.ok).toBe(true);
  });

  it('detects an edit left in place (hash columns untouched)', async () => {
    const v = await victim(2, false);
    await superuser((c) => c.query(`UPDATE audit_log SET metadata = '{"x":1}' WHERE chain = $1 AND seq = 2`, [v.id]));
    expect((await v.api.get('/audit/verify')).body).toMatchObject({ ok: false, first_bad_seq: 2, reason: 'edited' });
  });

  it('detects the last rows deleted (truncated since the checkpoint)', async () => {
    const v = await victim();
    await superuser((c) => c.query('DELETE FROM audit_log WHERE chain = $1 AND seq > $2', [v.id, v.rows - 2]));
    const r = await v.api.get('/audit/verify');
    expect(r.body).toMatchObject({ ok: false, rows_checked: v.rows - 2, first_bad_seq: v.rows - 1, reason: 'truncated' });
  });

  it('still detects the truncation when the checkpoints are deleted from the database too (the DATA_DIR copy)', async () => {
    const v = await victim();
    await superuser(async (c) => {
      await c.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER');
      await c.query('DELETE FROM audit_checkpoints WHERE chain = $1', [v.id]);
      await c.query('ALTER TABLE audit_checkpoints ENABLE TRIGGER USER');
      await c.query('DELETE FROM audit_log WHERE chain = $1 AND seq = $2', [v.id, v.rows]);
    });
    const r = await v.api.get('/audit/verify');
    expect(r.body).toMatchObject({ ok: false, first_bad_seq: v.rows, reason: 'truncated' });
    expect(r.body.checkpoints).toEqual([expect.objectContaining({ source: 'file', seq: v.rows, ok: false })]);
  });

  it('detects a middle row deleted and the rest renumbered and relinked', async () => {
    const v = await victim();
    await superuser(async (c) => {
      await c.query('DELETE FROM audit_log WHERE chain = $1 AND seq = 3', [v.id]);
      for (let s = 4; s <= v.rows; s++) await c.query('UPDATE audit_log SET seq = $3 WHERE chain = $1 AND seq = $2', [v.id, s, s - 1]);
      await rehashFrom(c, v.id, 3);
    });
    const r = await v.api.get('/audit/verify');
    expect(r.body).toMatchObject({ ok: false, first_bad_seq: 3, reason: 'missing' });
  });

  it('detects a middle row deleted without renumbering', async () => {
    const v = await victim(2, false);
    await superuser((c) => c.query('DELETE FROM audit_log WHERE chain = $1 AND seq = 3', [v.id]));
    expect((await v.api.get('/audit/verify')).body).toMatchObject({ ok: false, first_bad_seq: 3, reason: 'missing' });
  });

  it("detects a tenant's whole chain deleted, with or without a checkpoint", async () => {
    for (const checkpoint of [true, false]) {
      const v = await victim(2, checkpoint);
      await superuser((c) => c.query('DELETE FROM audit_log WHERE chain = $1', [v.id]));
      const r = await v.api.get('/audit/verify');
      expect(r.body).toMatchObject({ ok: false, rows_checked: 0, first_bad_seq: 1, reason: 'truncated' });
    }
  });

  it('detects a row forged through the old audit_append()', async () => {
    const v = await victim();
    // The attacker recreates the unkeyed append (migration 0011 dropped it) and uses it.
    await superuser(async (c) => {
      await c.query(`
        CREATE FUNCTION pg_temp.audit_append(p_chain text, e jsonb) RETURNS void LANGUAGE plpgsql AS $f$
        DECLARE v_seq bigint; v_hash text; v_now timestamptz := now();
        BEGIN
          SELECT seq, hash INTO v_seq, v_hash FROM audit_log WHERE chain = p_chain AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
          INSERT INTO audit_log (chain, seq, tenant_id, object_type, object_id, action, old_status, new_status, actor_type, actor_id,
                                 request_id, metadata, created_at, prev_hash, hash)
          VALUES (p_chain, v_seq + 1, e->>'tenant_id', e->>'object_type', e->>'object_id', e->>'action', NULL, e->>'new_status',
                  'system', NULL, NULL, '{}', v_now, v_hash,
                  audit_row_hash(v_hash, p_chain, v_seq + 1, e->>'tenant_id', e->>'object_type', e->>'object_id', e->>'action', NULL,
                                 e->>'new_status', 'system', NULL, NULL, '{}', v_now));
        END $f$`);
      await c.query('SELECT pg_temp.audit_append($1, $2)', [v.id, JSON.stringify({ tenant_id: v.id, object_type: 'payment', object_id: 'pay_forged', action: 'payment.refunded', new_status: 'refunded' })]);
    });
    expect((await v.api.get('/audit/verify')).body).toMatchObject({ ok: false, first_bad_seq: v.rows + 1, reason: 'inserted' });
  });

  it('leaves a forged unsealed row unsealed and reports it as inserted', async () => {
    const v = await victim(1, false);
    const [row] = await sys.sql<{ id: string }>(
      `INSERT INTO audit_log (chain, tenant_id, object_type, object_id, action, actor_type, mac, created_at)
       VALUES ($1, $1, 'payment', 'pay_forged', 'payment.refunded', 'system', repeat('f', 64), now()) RETURNING id`,
      [v.id],
    );
    await sealAll();
    const r = await v.api.get('/audit/verify');
    expect(r.body).toMatchObject({ ok: false, unsealed_rows: 1, first_bad_seq: null, first_bad_row_id: Number(row!.id), reason: 'inserted' });
    expect((await sys.sql('SELECT seq FROM audit_log WHERE id = $1', [row!.id]))[0]).toEqual({ seq: null });
  });

  it('detects a forged row inserted mid-chain with the rest renumbered', async () => {
    const v = await victim();
    await superuser(async (c) => {
      for (let s = v.rows; s >= 3; s--) await c.query('UPDATE audit_log SET seq = $3 WHERE chain = $1 AND seq = $2', [v.id, s, s + 1]);
      await c.query(
        `INSERT INTO audit_log (chain, seq, tenant_id, object_type, object_id, action, actor_type, mac, prev_hash, hash)
         VALUES ($1, 3, $1, 'payment', 'pay_forged', 'payment.refunded', 'system', repeat('e', 64), '', '')`,
        [v.id],
      );
      await rehashFrom(c, v.id, 3);
    });
    expect((await v.api.get('/audit/verify')).body).toMatchObject({ ok: false, first_bad_seq: 3, reason: 'inserted' });
  });
});

describe('signed checkpoints', () => {
  it('are listed, sent as an event, written to DATA_DIR, and verify with the public key using node:crypto alone', async () => {
    const created = await t.api.post('/audit/checkpoints');
    expect(created.status, created.text).toBe(201);
    const cp = created.body;
    expect(cp).toMatchObject({ object: 'audit_checkpoint', chain: t.id, seq: 21, row_count: 21, algorithm: 'Ed25519' });

    const { body: key } = await t.api.get('/audit/public-key');
    expect(key.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(verify(null, Buffer.from(cp.payload), key.pem, Buffer.from(cp.signature, 'base64url'))).toBe(true);
    expect(JSON.parse(cp.payload)).toMatchObject({ chain: t.id, seq: 21, head_hash: cp.head_hash, row_count: 21, created_at: cp.created_at, key_id: key.key_id });
    const forged = cp.payload.replace('"seq":21', '"seq":22');
    expect(verify(null, Buffer.from(forged), key.pem, Buffer.from(cp.signature, 'base64url'))).toBe(false);

    expect((await t.api.get('/audit/checkpoints')).body.data[0]).toEqual(cp);
    const events = await t.api.get('/events?type=audit.checkpoint');
    expect(events.body.data[0].data.object).toEqual(cp);
    const file = await readFile(path.join(sys.runtime.config.dataDir, 'audit-checkpoints.jsonl'), 'utf8');
    expect(file.trim().split('\n').map((l) => JSON.parse(l).id)).toContain(cp.id);

    const head = (await sys.sql<{ hash: string }>('SELECT hash FROM audit_log WHERE chain = $1 AND seq = 21', [t.id]))[0]!.hash;
    expect(cp.head_hash).toBe(head);
  });

  it('takes a checkpoint the tenant kept: the log must extend it', async () => {
    const v = await victim();
    const { body: kept } = await v.api.get('/audit/checkpoints');
    const token = kept.data[0].token;
    await createPayment(v.api);
    await sealAll();
    const ok = await v.api.get(`/audit/verify?checkpoint=${token}`);
    expect(ok.body).toMatchObject({ ok: true, rows_checked: v.rows + 2 });
    expect(ok.body.checkpoints).toContainEqual(expect.objectContaining({ source: 'supplied', seq: v.rows, ok: true }));

    expectError(await t.api.get(`/audit/verify?checkpoint=${token}`), 400, { code: 'checkpoint_invalid' }); // another tenant's
    const [payload, sig] = token.split('.');
    const tampered = `${Buffer.from(Buffer.from(payload, 'base64url').toString().replace(/"seq":\d+/, '"seq":1')).toString('base64url')}.${sig}`;
    expectError(await v.api.get(`/audit/verify?checkpoint=${tampered}`), 400, { code: 'checkpoint_invalid' });
  });

  it('refuses to checkpoint a log that does not verify', async () => {
    const v = await victim(1, false);
    await superuser((c) => c.query(`UPDATE audit_log SET action = 'x' WHERE chain = $1 AND seq = 2`, [v.id]));
    expectError(await v.api.post('/audit/checkpoints'), 409, { code: 'audit_chain_invalid' });
  });

  it('lets the operator verify every chain, and checkpoint any', async () => {
    const all = await admin.get('/admin/audit/verify');
    expect(all.status, all.text).toBe(200);
    expect(all.body.ok).toBe(false); // the victims above
    const failed = all.body.failures.map((f: { chain: string }) => f.chain);
    expect(failed).not.toContain(t.id);
    expect(failed.length).toBeGreaterThanOrEqual(10);
    expect(all.body.chains_checked).toBeGreaterThan(failed.length);

    const one = await admin.get(`/admin/audit/verify/${t.id}`);
    expect(one.body).toMatchObject({ ok: true, chain: t.id });
    const cp = await admin.post('/admin/audit/checkpoints', { chain: t.id });
    expect(cp.status, cp.text).toBe(201);
    expect(cp.body.chain).toBe(t.id);
  });
});

describe('sealing', () => {
  const unsealed = async (chain: string) =>
    (await sys.sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE chain = $1 AND seq IS NULL', [chain]))[0]!.n;

  it('gathers the commits of AUDIT_SEAL_DELAY_MS into one seal transaction, and seals what still waits at stop', async () => {
    const rt = await startRuntime(loadConfig(testEnv(sys.databaseUrl, { ...MANY_TENANTS, SANDPAY_ROLE: 'api', AUDIT_SEAL_DELAY_MS: '1000' })), createLogger('silent'));
    let stopped = false;
    try {
      const fresh = await registerTenant(rt.url!);
      for (let i = 0; i < 3; i++) await createPayment(fresh.api);
      await expect.poll(() => unsealed(fresh.id), { timeout: 10_000 }).toBe(0);
      // The UPDATE that seals a row makes its transaction the row's xmin. One kick each would be 4
      // transactions; the other process's backstop sweep may split the run once.
      const [x] = await sys.sql<{ rows: number; txs: number }>('SELECT count(*)::int AS rows, count(DISTINCT xmin::text)::int AS txs FROM audit_log WHERE chain = $1', [fresh.id]);
      expect(x!.rows).toBe(7); // tenant.created + 3 x (created, success)
      expect(x!.txs).toBeLessThanOrEqual(2);

      await createPayment(fresh.api);
      stopped = true;
      await rt.stop();
      expect(await unsealed(fresh.id)).toBe(0);
      expect((await admin.get(`/admin/audit/verify/${fresh.id}`)).body).toMatchObject({ ok: true, rows_checked: 9, unsealed_rows: 0 });
    } finally {
      if (!stopped) await rt.stop();
    }
  });
});

describe('the master key', () => {
  it('is refused when another process on the database has another key', async () => {
    const config = loadConfig(testEnv(sys.databaseUrl, { SANDPAY_ROLE: 'api', SANDPAY_MASTER_KEY: 'ab'.repeat(32) }));
    await expect(startRuntime(config, createLogger('silent'))).rejects.toThrow(/another master key/);
  });
});

describe('a whole chain rewritten without MACs before its first checkpoint (issue 21)', () => {
  it('is not taken for rows from before the keyed chain, and is never checkpointed', async () => {
    const v = await victim(2, false);
    // Edit a row, then pass the whole chain off as legacy: mac = NULL and every hash recomputed.
    await superuser(async (c) => {
      await c.query(`UPDATE audit_log SET new_status = 'failed' WHERE chain = $1 AND seq = 3`, [v.id]);
      await c.query('UPDATE audit_log SET mac = NULL WHERE chain = $1', [v.id]);
      await rehashFrom(c, v.id, 1);
    });
    const r = await v.api.get('/audit/verify');
    expect(r.body).toMatchObject({ ok: false, first_bad_seq: 1, reason: 'inserted', legacy_rows: 0 });
    expect(r.body.detail).toMatch(/row 1 has no MAC and it has no rows from before the keyed chain/);

    expectError(await v.api.post('/audit/checkpoints'), 409, { type: 'state_error', code: 'audit_chain_invalid' });
    expectError(await admin.post('/admin/audit/checkpoints', { chain: v.id }), 409, { code: 'audit_chain_invalid' });
    expect(await sys.sql('SELECT id FROM audit_checkpoints WHERE chain = $1', [v.id])).toEqual([]);
  });
});

describe('checkpoint rows that do not verify (issue 21)', () => {
  let other: Runtime;
  let otherDataDir: string;
  beforeAll(async () => {
    // A second API process with a DATA_DIR of its own: no file copy of any checkpoint, only the database.
    otherDataDir = await mkdtemp(path.join(tmpdir(), 'sandpay-audit-'));
    other = await startRuntime(loadConfig(testEnv(sys.databaseUrl, { SANDPAY_ROLE: 'api', DATA_DIR: otherDataDir })), createLogger('silent'));
  });
  afterAll(async () => {
    await other?.stop();
    await rm(otherDataDir, { recursive: true, force: true });
  });
  const elsewhere = (v: TestTenant) => new Client(other.url + '/api/v1', v.sk);

  /** What the attacker adds: 11 checkpoint rows above the genuine one, each with a signature that is not Sandpay's. */
  async function junk(chain: string, aboveSeq: number): Promise<void> {
    const [genuine] = await sys.sql<{ payload: string; key_id: string }>('SELECT payload, key_id FROM audit_checkpoints WHERE chain = $1', [chain]);
    for (let i = 1; i <= 11; i++) {
      const seq = aboveSeq + 100 + i;
      await sys.sql(
        `INSERT INTO audit_checkpoints (id, chain, seq, head_hash, row_count, key_id, payload, signature, created_at)
         VALUES ('acp_junk' || $1::text || $2::text, $2, $3, repeat('f', 64), $3, $4, $5, $6, now())`,
        [i, chain, seq, genuine!.key_id, genuine!.payload.replace(/"seq":\d+/, `"seq":${seq}`), Buffer.from(`junk ${i}`).toString('base64url')],
      );
    }
  }

  it('do not hide the genuine checkpoint: the rows deleted since are caught by a process without the file', async () => {
    const v = await victim();
    await superuser((c) => c.query('DELETE FROM audit_log WHERE chain = $1 AND seq > $2', [v.id, v.rows - 2]));
    await junk(v.id, v.rows);

    const r = await elsewhere(v).get('/audit/verify');
    expect(r.body).toMatchObject({ ok: false, rows_checked: v.rows - 2, first_bad_seq: v.rows - 1, reason: 'truncated' });
    expect(r.body.checkpoints).toEqual([expect.objectContaining({ source: 'database', seq: v.rows, ok: false })]);
    expectError(await elsewhere(v).post('/audit/checkpoints'), 409, { code: 'audit_chain_invalid' });
    expect((await v.api.get('/audit/verify')).body).toMatchObject({ ok: false, first_bad_seq: v.rows - 1, reason: 'truncated' });
  });

  it('are reported as forged, over a log that is otherwise whole, and no checkpoint is signed past them', async () => {
    const v = await victim();
    await junk(v.id, v.rows);

    for (const api of [elsewhere(v), v.api]) {
      const r = await api.get('/audit/verify');
      expect(r.body).toMatchObject({ ok: false, reason: 'forged_checkpoint', rows_checked: v.rows, checkpoints_checked: 1 });
      expect(r.body.detail).toMatch(/^11 checkpoint row\(s\) in the database do not verify/);
      expect(r.body).not.toHaveProperty('first_bad_seq');
      expect(r.body.checkpoints).toEqual([expect.objectContaining({ seq: v.rows, ok: true })]);
      expectError(await api.post('/audit/checkpoints'), 409, { code: 'audit_chain_invalid' });
    }
    const listed = (await v.api.get('/audit/checkpoints?limit=20')).body.data;
    expect(listed.filter((c: { valid?: boolean }) => c.valid === false)).toHaveLength(11);
  });

  it("count another chain's genuine checkpoint copied into this one as forged", async () => {
    const [donor, v] = [await victim(1), await victim(1, false)];
    await sys.sql(
      `INSERT INTO audit_checkpoints (id, chain, seq, head_hash, row_count, key_id, payload, signature, created_at)
       SELECT 'acp_copy' || $2::text, $2, seq, head_hash, row_count, key_id, payload, signature, created_at FROM audit_checkpoints WHERE chain = $1`,
      [donor.id, v.id],
    );
    expect((await elsewhere(v).get('/audit/verify')).body).toMatchObject({ ok: false, reason: 'forged_checkpoint', checkpoints_checked: 0 });
    expectError(await elsewhere(v).post('/audit/checkpoints'), 409, { code: 'audit_chain_invalid' });
  });
});

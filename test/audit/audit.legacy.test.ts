import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { migrationNames } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/logger.ts';
import { MIGRATIONS_DIR } from '../../src/paths.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { Client, expectError, registerTenant } from '../support/client.ts';
import { adminQuery, withDatabase } from '../support/postgres.ts';
import { ADMIN_TOKEN, testEnv } from '../support/system.ts';

// A database written by the unkeyed chain (before migration 0011), then upgraded.
const TENANT = `ten_legacy${'0'.repeat(14)}`;
const name = `legacy_${Math.random().toString(36).slice(2, 10)}`;
const url = withDatabase(inject('pgAdminUrl'), name);
let runtime: Runtime;
let admin: Client;
const sql = async (text: string, values: unknown[] = []) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
};

beforeAll(async () => {
  await adminQuery(inject('pgAdminUrl'), `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await runner({ databaseUrl: url, dir: MIGRATIONS_DIR, direction: 'up', migrationsTable: 'pgmigrations', singleTransaction: true, count: migrationNames().indexOf('0011_audit_keyed_chain'), log: () => {} });
  await sql(`INSERT INTO tenants (id, name, email, webhook_secret) VALUES ($1, 'Old', 'old@example.com', 'whsec_x')`, [TENANT]);
  for (const action of ['tenant.created', 'api_key.rotated']) {
    await sql(`SELECT audit_append($2, $1::jsonb)`, [JSON.stringify([{ tenant_id: TENANT, object_type: 'tenant', object_id: TENANT, action, actor_type: 'system' }]), TENANT]);
  }
  const config = loadConfig(testEnv(url));
  runtime = await startRuntime(config, createLogger('silent')); // applies 0011 and later
  admin = new Client(runtime.url + '/api/v1', ADMIN_TOKEN);
});
afterAll(async () => {
  await runtime?.stop();
  await adminQuery(inject('pgAdminUrl'), `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
});

/** The whole chain passed off as legacy: mac = NULL and every hash recomputed with audit_row_hash(). */
const passOffAsLegacy = (chain: string) =>
  sql(`ALTER TABLE audit_log DISABLE TRIGGER USER;
       DO $$ DECLARE r record; p text := repeat('0', 64); BEGIN
         FOR r IN SELECT id FROM audit_log WHERE chain = '${chain}' ORDER BY seq LOOP
           UPDATE audit_log SET mac = NULL, prev_hash = p,
                  hash = audit_row_hash(p, chain, seq, tenant_id, object_type, object_id, action, old_status, new_status,
                                        actor_type, actor_id, request_id, metadata, created_at)
            WHERE id = r.id RETURNING hash INTO p;
         END LOOP;
       END $$;
       ALTER TABLE audit_log ENABLE TRIGGER USER`);

/** Migration 0018 undone by hand, once those after it are migrated down (node-pg-migrate refuses a gap). */
const undo0018 = async () => {
  const later = migrationNames().length - migrationNames().indexOf('0018_audit_legacy_boundary') - 1;
  if (later > 0) await runner({ databaseUrl: url, dir: MIGRATIONS_DIR, direction: 'down', migrationsTable: 'pgmigrations', singleTransaction: true, count: later, log: () => {} });
  await sql('DROP TABLE audit_legacy_boundaries');
  await sql(`DELETE FROM pgmigrations WHERE name = '0018_audit_legacy_boundary'`);
};

describe('rows from before the keyed chain', () => {
  it('verify as the start of the chain, and keyed rows follow them', async () => {
    expect((await admin.get(`/admin/audit/verify/${TENANT}`)).body).toMatchObject({ ok: true, rows_checked: 2, legacy_rows: 2 });
    expect((await admin.patch(`/admin/tenants/${TENANT}`, { rate_limit: 10 })).status).toBe(200);
    // The seal follows the commit by a moment.
    for (let i = 0; i < 100 && (await admin.get(`/admin/audit/verify/${TENANT}`)).body.unsealed_rows !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await admin.get(`/admin/audit/verify/${TENANT}`)).body).toMatchObject({ ok: true, rows_checked: 3, legacy_rows: 2, unsealed_rows: 0 });
  });

  it('are still caught when edited', async () => {
    await sql(`ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET action = 'x' WHERE chain = '${TENANT}' AND seq = 1; ALTER TABLE audit_log ENABLE TRIGGER USER`);
    expect((await admin.get(`/admin/audit/verify/${TENANT}`)).body).toMatchObject({ ok: false, first_bad_seq: 1, reason: 'edited' });
  });

  it('end where they ended when the keyed chain began, recorded once: a chain rewritten without MACs since is not one of them', async () => {
    expect(await sql('SELECT chain, seq FROM audit_legacy_boundaries')).toEqual([{ chain: TENANT, seq: '2' }]);
    const fresh = await registerTenant(runtime.url!);
    await expect.poll(async () => (await fresh.api.get('/audit/verify')).body, { timeout: 10_000 }).toMatchObject({ ok: true, unsealed_rows: 0 });
    await passOffAsLegacy(fresh.id);
    // Another start, migrations already applied: no boundary is added.
    const again = await startRuntime(loadConfig(testEnv(url, { SANDPAY_ROLE: 'api' })), createLogger('silent'));
    await again.stop();
    expect(await sql('SELECT chain FROM audit_legacy_boundaries')).toEqual([{ chain: TENANT }]);
    expect((await fresh.api.get('/audit/verify')).body).toMatchObject({ ok: false, first_bad_seq: 1, reason: 'inserted', legacy_rows: 0 });
    expectError(await fresh.api.post('/audit/checkpoints'), 409, { code: 'audit_chain_invalid' });

    // A boundary written by a database user does not verify.
    await sql(`INSERT INTO audit_legacy_boundaries (chain, seq, head_hash, mac)
               SELECT chain, seq, hash, repeat('0', 64) FROM audit_log WHERE chain = $1 AND seq = 1`, [fresh.id]);
    expect((await fresh.api.get('/audit/verify')).body).toMatchObject({ ok: false, first_bad_seq: 1, reason: 'forged_boundary' });
    expectError(await fresh.api.post('/audit/checkpoints'), 409, { code: 'audit_chain_invalid' });
  });

  it('cannot have their boundary moved', async () => {
    await sql(`ALTER TABLE audit_legacy_boundaries DISABLE TRIGGER USER;
               UPDATE audit_legacy_boundaries SET seq = 1 WHERE chain = '${TENANT}';
               ALTER TABLE audit_legacy_boundaries ENABLE TRIGGER USER`);
    expect((await admin.get(`/admin/audit/verify/${TENANT}`)).body).toMatchObject({ ok: false, first_bad_seq: 1, reason: 'forged_boundary' });
  });

  it('are fixed once: migration 0018 undone by hand and applied again records no boundary', async () => {
    const fresh = await registerTenant(runtime.url!);
    await expect.poll(async () => (await fresh.api.get('/audit/verify')).body, { timeout: 10_000 }).toMatchObject({ ok: true, unsealed_rows: 0 });
    await passOffAsLegacy(fresh.id);
    await undo0018();
    // The next start applies it again; the first fixing's row in the global chain refuses a second one
    // (and so does its file in DATA_DIR: each alone is checked below).
    const again = await startRuntime(loadConfig(testEnv(url, { SANDPAY_ROLE: 'api' })), createLogger('silent'));
    await again.stop();
    expect(await sql('SELECT chain FROM audit_legacy_boundaries')).toEqual([]);
    expect((await fresh.api.get('/audit/verify')).body).toMatchObject({ ok: false, first_bad_seq: 1, reason: 'inserted', legacy_rows: 0 });
    expectError(await fresh.api.post('/audit/checkpoints'), 409, { code: 'audit_chain_invalid' });

    // The file alone: the global chain's row deleted too (which verify reports on its own).
    await sql(`ALTER TABLE audit_log DISABLE TRIGGER USER; DELETE FROM audit_log WHERE chain = 'global' AND action = 'audit.legacy_boundaries_fixed';
               ALTER TABLE audit_log ENABLE TRIGGER USER`);
    await undo0018();
    const third = await startRuntime(loadConfig(testEnv(url, { SANDPAY_ROLE: 'api' })), createLogger('silent'));
    await third.stop();
    expect(await sql('SELECT chain FROM audit_legacy_boundaries')).toEqual([]);
    expect((await fresh.api.get('/audit/verify')).body).toMatchObject({ ok: false, first_bad_seq: 1 });
  });
});

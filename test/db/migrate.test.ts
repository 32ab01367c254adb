import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { assertSchemaNotNewer, migrate, migrationNames, migrationStatus } from '../../src/db/migrate.ts';
import { createDb } from '../../src/db/pool.ts';
import { createTestDatabase } from '../support/system.ts';
import { isId } from '../../src/ids.ts';
import { adminQuery } from '../support/postgres.ts';
import { inject } from 'vitest';
import pg from 'pg';

const log = createLogger('silent');
const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const d of drops) await d();
});

async function emptyDatabase() {
  // Not from the template: a database with nothing in it.
  const name = `m_${Math.random().toString(36).slice(2, 10)}`;
  const admin = inject('pgAdminUrl');
  await adminQuery(admin, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  drops.push(() => adminQuery(admin, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
  return url.toString();
}

describe('migrations', () => {
  it('apply once when two processes start together, and are a no-op afterwards', async () => {
    const url = await emptyDatabase();
    const [a, b] = await Promise.all([migrate(url, log), migrate(url, log)]);
    expect([...a, ...b].sort()).toEqual(migrationNames());
    expect(await migrate(url, log)).toEqual([]);
    const db = createDb({ connectionString: url, max: 2, connectTimeoutMs: 2000, statementTimeoutMs: 5000 }, log);
    expect((await migrationStatus(db)).ok).toBe(true);
    await db.close();
  });

  it('refuse to run against a schema migrated by newer code', async () => {
    const database = await createTestDatabase();
    drops.push(database.drop);
    const db = createDb({ connectionString: database.url, max: 2, connectTimeoutMs: 2000, statementTimeoutMs: 5000 }, log);
    await assertSchemaNotNewer(db);
    await db.rows(`INSERT INTO pgmigrations (name, run_on) VALUES ('9999_from_the_future', now())`);
    await expect(assertSchemaNotNewer(db)).rejects.toThrow(/9999_from_the_future.*newer schema/);
    expect((await migrationStatus(db)).ok).toBe(false);
    await db.close();
  });
});

describe('random_public_id()', () => {
  it('makes 20-character base62 ids that pass the API id check, and does not repeat', async () => {
    const database = await createTestDatabase();
    drops.push(database.drop);
    const db = createDb({ connectionString: database.url, max: 2, connectTimeoutMs: 2000, statementTimeoutMs: 5000 }, log);
    const rows = await db.rows<{ id: string }>('SELECT random_public_id() AS id FROM generate_series(1, 2000)');
    await db.close();
    expect(rows.every((r) => isId('webhookDelivery', `whd_${r.id}`))).toBe(true);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2000);
  });
});

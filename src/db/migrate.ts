import { readdirSync } from 'node:fs';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logger.ts';
import { MIGRATIONS_DIR } from '../paths.ts';
import type { Queryable } from './pool.ts';

const MIGRATIONS_TABLE = 'pgmigrations';

/** Migration names as node-pg-migrate records them: file names without the extension, in order. */
export function migrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => f.replace(/\.sql$/, ''));
}

/**
 * Applies pending migrations in one transaction. node-pg-migrate holds an advisory lock for the
 * run ('wait' mode), so two processes starting together migrate once, one after the other.
 * Refuses to continue against a database migrated by newer code, which node-pg-migrate's own
 * order check does not catch.
 */
export async function migrate(databaseUrl: string, log: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: MIGRATIONS_TABLE,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    checkOrder: true,
    log: (msg: string) => log.debug({ component: 'migrate' }, msg),
  });
  return applied.map((m) => m.name);
}

export interface MigrationStatus {
  ok: boolean;
  applied: number;
  expected: number;
  unknown: string[];
}

export async function migrationStatus(db: Queryable): Promise<MigrationStatus> {
  const expected = migrationNames();
  const rows = await db.rows<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY run_on, id`);
  const applied = rows.map((r) => r.name);
  const unknown = applied.filter((n) => !expected.includes(n));
  const missing = expected.filter((n) => !applied.includes(n));
  return { ok: unknown.length === 0 && missing.length === 0, applied: applied.length, expected: expected.length, unknown };
}

export async function assertSchemaNotNewer(db: Queryable): Promise<void> {
  const status = await migrationStatus(db);
  if (status.unknown.length > 0) {
    throw new Error(
      `the database has migrations this code does not know (${status.unknown.join(', ')}); refusing to run against a newer schema`,
    );
  }
}

import { migrationStatus } from './migrate.ts';
import type { Db } from './pool.ts';

/** Readiness of the database: it answers, and its schema is the one this code expects. */
export async function databaseReady(db: Db): Promise<{ database: boolean; migrations: boolean }> {
  try {
    await db.rows('SELECT 1');
    return { database: true, migrations: (await migrationStatus(db)).ok };
  } catch {
    return { database: false, migrations: false };
  }
}

/** The operator's view: server version, a query's latency, migrations and the pool. */
export async function databaseHealth(db: Db) {
  const started = performance.now();
  const row = await db.one<{ version: string }>('SELECT current_setting($1::text) AS version', ['server_version']);
  const status = await migrationStatus(db);
  return {
    status: 'ok' as const,
    latency_ms: Math.round((performance.now() - started) * 100) / 100,
    server_version: row.version,
    migrations: { applied: status.applied, expected: status.expected },
    pool: { total: db.pool.totalCount, idle: db.pool.idleCount, waiting: db.pool.waitingCount },
  };
}

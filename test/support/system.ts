import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { randomBase62 } from '../../src/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { adminQuery, withDatabase } from './postgres.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestSystem {
  url: string;
  runtime: Runtime;
  databaseUrl: string;
  databaseName: string;
  /** A client for the test's database (superuser), for assertions the API does not expose. */
  sql<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

/** A fresh database cloned from the migrated template. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBase62(10).toLowerCase()}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(inject('pgTemplate'))}`);
      break;
    } catch (err) {
      // 55006: the template is briefly busy (another clone, or a lingering connection).
      if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
  };
}

export function testEnv(databaseUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    PORT: '0',
    ADMIN_TOKEN,
    WEBHOOK_RETRY_SCHEDULE: '1,1',
    WEBHOOK_TIMEOUT_MS: '2000',
    JOB_EXPIRE_SECONDS: '30',
    REFUND_PROCESS_DELAY_MS: '200',
    JOB_POLL_SECONDS: '0.5',
    // One key for every process on the test's database (the database refuses another), and a
    // data folder of its own for the audit checkpoint file.
    SANDPAY_MASTER_KEY: TEST_MASTER_KEY,
    DATA_DIR: testDataDir(databaseUrl),
    ...overrides,
  };
}

export const TEST_MASTER_KEY = '5a'.repeat(32);

export const testDataDir = (databaseUrl: string) => path.join(os.tmpdir(), `sandpay-test-${new URL(databaseUrl).pathname.slice(1)}`);

/** The whole of Sandpay (HTTP, jobs, workers) on its own database and a free port. */
export async function startTestSystem(overrides: Record<string, string> = {}): Promise<TestSystem> {
  const database = await createTestDatabase();
  const config = loadConfig(testEnv(database.url, overrides));
  const runtime = await startRuntime(config, createLogger(config.logLevel));
  const client = new pg.Pool({ connectionString: database.url, max: 4 });
  // pool.end() resolves before its connections have closed; DROP DATABASE ... WITH (FORCE) then
  // terminates them, and an 'error' event on a pool with no listener would be an uncaught exception.
  client.on('error', () => {});
  let stopped = false;
  return {
    url: runtime.url!,
    runtime,
    databaseUrl: database.url,
    databaseName: database.name,
    sql: async <R>(text: string, values?: unknown[]) => (await client.query(text, values)).rows as R[],
    async stop() {
      if (stopped) return;
      stopped = true;
      await runtime.stop();
      await client.end();
      await database.drop();
      await rm(testDataDir(database.url), { recursive: true, force: true });
    },
  };
}

import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { migrate } from '../src/db/migrate.ts';
import { createBoss } from '../src/jobs/boss.ts';
import { ensureQueues } from '../src/jobs/workers.ts';
import { createLogger } from '../src/logger.ts';
import { randomBase62 } from '../src/ids.ts';
import type { Services } from '../src/services.ts';
import { jobDefinitions } from '../src/wiring.ts';
import { adminQuery, startTestPostgres, withDatabase } from './support/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    pgKind: string;
  }
}

/**
 * Starts one Postgres for the run and builds a migrated template database (schema plus the
 * pg-boss schema and queues); each test file clones it, which takes milliseconds.
 */
export default async function setup(project: TestProject) {
  const server = await startTestPostgres();
  const template = `sandpay_tpl_${randomBase62(8).toLowerCase()}`;
  await adminQuery(server.adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(template)}`);
  const url = withDatabase(server.adminUrl, template);
  const log = createLogger('silent');
  await migrate(url, log);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url });
  const boss = createBoss(url, config, log, { worker: false });
  await boss.start();
  // The queues the runtime creates, as the capabilities declare them with their workers (none of
  // which runs here: declaring them reads only the config).
  await ensureQueues(boss, config, jobDefinitions({ config } as Services));
  await boss.stop({ graceful: false });

  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgTemplate', template);
  project.provide('pgKind', server.kind);

  return async () => {
    await adminQuery(server.adminUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(template)} WITH (FORCE)`).catch(() => {});
    await server.stop();
  };
}

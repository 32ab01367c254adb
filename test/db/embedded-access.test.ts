import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { createLogger } from '../../src/logger.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** As `mktemp -d` makes it: mode 0700, owned by us. */
async function privateDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sandpay-access-'));
  dirs.push(dir);
  expect(mode(dir)).toBe(0o700);
  return dir;
}

const mode = (p: string) => statSync(p).mode & 0o7777;
const log = createLogger('silent');
const open = (dataDir: string) => startEmbeddedPostgres({ dataDir, port: 0, database: 'postgres', log });

// Only root runs Postgres as another user (the postgres system user); others run it as themselves.
describe.runIf(process.getuid?.() === 0)('as root, the postgres user must be able to enter DATA_DIR', () => {
  it('a DATA_DIR made by mktemp -d gets the search bit for others only, and Postgres starts in it', async () => {
    const dataDir = await privateDir();
    const server = await open(dataDir);
    await server.stop();
    // Enter, not list or write: the secrets beside the cluster stay private.
    expect(mode(dataDir)).toBe(0o701);
    expect(mode(path.join(dataDir, 'pg-password')) & 0o077).toBe(0);

    // Started again, nothing more is changed.
    await (await open(dataDir)).stop();
    expect(mode(dataDir)).toBe(0o701);
  }, 60_000);

  it('a folder above DATA_DIR it cannot enter is left alone, and start-up says exactly what to change', async () => {
    const parent = await privateDir();
    const dataDir = path.join(parent, 'data');
    await expect(open(dataDir)).rejects.toThrow(
      `the embedded Postgres runs as the postgres user (Postgres refuses root), which cannot enter ${parent} (mode 0700, owner uid 0) ` +
        `on the way to DATA_DIR (${dataDir}): run chmod o+x ${parent}, or set DATA_DIR to a folder it can reach`,
    );
    expect(mode(parent)).toBe(0o700);
    expect(existsSync(path.join(dataDir, 'pg')), 'initdb was not run').toBe(false);
    expect(existsSync(path.join(dataDir, 'sandpay.pid')), 'the folder was not locked').toBe(false);
  }, 60_000);
});

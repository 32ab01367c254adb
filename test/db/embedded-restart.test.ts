import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { isAlive } from '../../src/db/embedded-owner.ts';
import { createLogger } from '../../src/logger.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { postmasterPid, until } from '../support/embedded.ts';
import { Client } from '../support/client.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sandpay-restart-'));
  // Postgres runs as its own system user when we are root; it must be able to reach the folder.
  await chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  // Whatever happened above, leave no postmaster behind.
  for (const dir of dirs) {
    if (existsSync(path.join(dir, 'pg', 'postmaster.pid'))) {
      const pid = postmasterPid(dir);
      if (pid > 0 && isAlive(pid)) {
        process.kill(pid, 'SIGINT');
        await until(`postmaster ${pid} to exit`, () => !isAlive(pid)).catch(() => process.kill(pid, 'SIGKILL'));
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

interface Started {
  child: ChildProcess;
  url: string;
  banner: string;
}

/** `node app.ts` on an embedded Postgres in dataDir; resolves on the banner, rejects on exit. */
function start(dataDir: string): Promise<Started> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, ['app.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Sandpay is running at (http:\/\/\S+)/.exec(out);
      if (m && out.includes('curl')) resolve({ child, url: m[1]!, banner: out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(Object.assign(new Error(`exited with ${code} before serving:\n${out}`), { code, out })));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('embedded mode after a crash', () => {
  it('starts again after Sandpay was killed with SIGKILL (its Postgres orphaned), keeping the data', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    expect(first.banner).toMatch(/Webhooks to private addresses: allowed/);
    const reg = await new Client(first.url).post('/api/v1/auth/register', { name: 'Crash Shop', email: 'crash@example.com' });
    expect(reg.status).toBe(201);

    const orphan = postmasterPid(dataDir);
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(isAlive(orphan), 'the postmaster outlives a SIGKILLed Sandpay').toBe(true);

    const second = await start(dataDir);
    expect(isAlive(orphan), 'the orphaned postmaster was stopped').toBe(false);
    const me = await new Client(second.url).get('/api/v1/auth/me', { key: reg.body.secret_key });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(reg.body.id);

    // A live Sandpay on the folder is not an orphan: a second one is refused with one line.
    const refused = await start(dataDir).then(
      () => expect.unreachable('a second Sandpay started on the same folder'),
      (err: { code: number; out: string }) => err,
    );
    expect(refused.code).toBe(1);
    expect(refused.out.trim()).toBe(`Sandpay failed to start: another Sandpay (pid ${second.child.pid}) is using ${dataDir}; stop it first, or set DATA_DIR to another folder`);
    expect((await new Client(second.url).get('/health/ready')).status).toBe(200);

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(existsSync(path.join(dataDir, 'sandpay.pid')), 'a clean stop releases the folder').toBe(false);
  }, 180_000);

  it('a stale postmaster.pid or sandpay.pid (dead or reused pid) does not block the start', async () => {
    const dataDir = await tempDir();
    const log = createLogger('silent');
    const open = () => startEmbeddedPostgres({ dataDir, port: 0, database: 'postgres', log });
    await (await open()).stop();

    // A process that has exited: its pid is dead. A sleeping node: alive, but no postgres, and
    // not the process that wrote the lock (another start time), as after a pid is reused.
    const done = spawn(process.execPath, ['-e', '']);
    await exited(done);
    // As root, Postgres runs as the postgres user and takes another user's pid for stale; the
    // sleeper runs as that user so the pid looks live to Postgres too.
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    const owner = process.getuid?.() === 0 ? { uid: id('-u'), gid: id('-g') } : {};
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore', ...owner });
    children.push(other);
    const pmFile = path.join(dataDir, 'pg', 'postmaster.pid');
    const lockFile = path.join(dataDir, 'sandpay.pid');
    for (const pid of [done.pid!, other.pid!]) {
      await writeFile(pmFile, `${pid}\n${path.join(dataDir, 'pg')}\n1700000000\n5432\n/tmp\n127.0.0.1\n  1234567   7654321\nready   \n`);
      await writeFile(lockFile, `${pid}\nnot-its-start-time\n`);
      const server = await open();
      // Both records now name the live owners: a new postmaster that answers, and this process.
      expect(postmasterPid(dataDir)).not.toBe(pid);
      expect(isAlive(postmasterPid(dataDir))).toBe(true);
      await ensureDatabase(server.adminUrl, 'postgres');
      expect(readFileSync(lockFile, 'utf8').split('\n')[0]).toBe(String(process.pid));
      // The process now holding the recorded pid was not taken for an orphaned postmaster.
      expect(isAlive(other.pid!), 'the unrelated process is still running').toBe(true);
      await server.stop();
      expect(existsSync(lockFile), 'a clean stop releases the folder').toBe(false);
    }
    other.kill('SIGKILL');
  }, 120_000);
});

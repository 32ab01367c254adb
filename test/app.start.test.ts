import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.ts';
import { Client } from './support/client.ts';

let dataDir: string;
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Runs `node app.ts` as `npm start` does, with no DATABASE_URL, and waits for the banner. */
async function start(): Promise<{ child: ChildProcess; url: string; banner: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, ['app.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 60 s:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Sandpay is running at (http:\/\/\S+)/.exec(out);
      if (m && out.includes('curl')) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before serving:\n${out}`)));
  });
  return { child, url, banner: out };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('npm start (node app.ts) on embedded Postgres', () => {
  it('serves, prints how to get keys, shuts down on SIGTERM and keeps data across restarts', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sandpay-start-'));
    await chmod(dataDir, 0o755);

    const first = await start();
    expect(first.banner).toContain('/api/v1/auth/register');
    expect(first.banner).toContain(`data in ${path.join(dataDir, 'pg')}`);
    const token = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    expect(first.banner).toContain(token); // printed on first start only

    const root = new Client(first.url);
    expect((await root.get('/health/ready')).status).toBe(200);
    const reg = await root.post('/api/v1/auth/register', { name: 'Restart Shop', email: 'restart@example.com' });
    expect(reg.status).toBe(201);
    expect((await root.get('/api/v1/admin/tenants', { key: token })).status).not.toBe(401);
    expect(await stop(first.child)).toBe(0);

    const second = await start();
    expect(second.banner).not.toContain(token);
    expect(second.banner).toContain('admin-token');
    const me = await new Client(second.url).get('/api/v1/auth/me', { key: reg.body.secret_key });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(reg.body.id);
    expect(await stop(second.child)).toBe(0);
  }, 120_000);
});

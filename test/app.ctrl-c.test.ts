import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../src/db/embedded-owner.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { postmasterPid, until } from './support/embedded.ts';
import { Client } from './support/client.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const dir of dirs) {
    const pid = existsSync(path.join(dir, 'pg', 'postmaster.pid')) ? postmasterPid(dir) : 0;
    if (pid > 0 && isAlive(pid)) {
      process.kill(pid, 'SIGINT');
      await until(`postmaster ${pid} to exit`, () => !isAlive(pid)).catch(() => process.kill(pid, 'SIGKILL'));
    }
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sandpay-ctrl-c-'));
  // As root, Postgres runs as its own user and must be able to enter the folder.
  await chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
}

interface Running {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output matches. */
  waitFor(re: RegExp): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node app.ts` (or the README's `npm start`) as a terminal runs it: the leader of its own process
 * group, so that process.kill(-pid) reaches the group as Ctrl-C does (npm, Sandpay and any child
 * Sandpay did not detach).
 */
function start(dataDir: string, logLevel = 'warn', nodeArgs: string[] = [], via: 'node' | 'npm start' = 'node'): Running {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: logLevel };
  const [command, args] = via === 'node' ? [process.execPath, [...nodeArgs, 'app.ts']] : ['npm', ['start']];
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let out = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => out,
    exited,
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) resolve(m);
        };
        waiters.push(check);
        check();
        void exited.then(({ code }) => reject(new Error(`exited with ${code} before printing ${re}:\n${out}`)));
      }),
  };
}

const ctrlC = (r: Running) => process.kill(-r.child.pid!, 'SIGINT');

/** A clean stop says nothing worse than info, and no stack trace or unhandled error. */
function expectQuiet(output: string): void {
  expect(output).not.toMatch(/Unhandled|uncaught|^\s+at /im);
  const problems = output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.level >= 50);
  expect(problems).toEqual([]);
}

describe('Ctrl-C (SIGINT to the whole process group) with the embedded Postgres', () => {
  it('shuts down in order and exits 0 (npm start too), with no stack, Postgres stopped and the data kept', async () => {
    const dataDir = await tempDir();
    const first = start(dataDir, 'warn', [], 'npm start');
    const url = (await first.waitFor(/Sandpay is running at (http:\/\/\S+)[\s\S]*curl -s http/))[1]!;
    const reg = await new Client(url).post('/api/v1/auth/register', { name: 'Ctrl-C Shop', email: 'ctrl-c@example.com' });
    expect(reg.status).toBe(201);
    const postmaster = postmasterPid(dataDir);

    ctrlC(first);
    expect(await first.exited, first.output()).toEqual({ code: 0, signal: null });
    expectQuiet(first.output());
    expect(isAlive(postmaster), 'Sandpay stopped its Postgres').toBe(false);
    expect(existsSync(path.join(dataDir, 'sandpay.pid')), 'the folder is released').toBe(false);

    const second = start(dataDir);
    const url2 = (await second.waitFor(/Sandpay is running at (http:\/\/\S+)[\s\S]*curl -s http/))[1]!;
    const me = await new Client(url2).get('/api/v1/auth/me', { key: reg.body.secret_key });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(reg.body.id);
    ctrlC(second);
    expect(await second.exited, second.output()).toEqual({ code: 0, signal: null });
    expectQuiet(second.output());
  }, 180_000);

  it('during start-up too: what has started is stopped, and no Postgres is left running', async () => {
    const dataDir = await tempDir();
    // Logged once the embedded Postgres runs and migrations are applied, before HTTP is up.
    const starting = start(dataDir, 'info');
    await starting.waitFor(/"msg":"applied migrations"/);
    const postmaster = postmasterPid(dataDir);

    ctrlC(starting);
    expect(await starting.exited, starting.output()).toEqual({ code: 0, signal: null });
    expectQuiet(starting.output());
    expect(isAlive(postmaster), 'no orphaned Postgres').toBe(false);
    expect(existsSync(path.join(dataDir, 'sandpay.pid'))).toBe(false);
  }, 180_000);

  it('a connection the database ends while Sandpay stops (57P01, left unheard by a library) is not a crash', async () => {
    const dataDir = await tempDir();
    // What pg-boss's LISTEN client does when its Postgres stops at the same moment: it takes its
    // error listener off before its connection has closed, so the server's 57P01 goes unheard.
    const inject = path.join(dataDir, 'unheard-57p01.mjs');
    await writeFile(
      inject,
      "import { EventEmitter } from 'node:events';\n" +
        "process.on('SIGINT', () => setImmediate(() => new EventEmitter().emit('error', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))));\n",
    );
    const running = start(dataDir, 'warn', ['--import', inject]);
    await running.waitFor(/Sandpay is running at (http:\/\/\S+)[\s\S]*curl -s http/);
    const postmaster = postmasterPid(dataDir);

    ctrlC(running);
    expect(await running.exited, running.output()).toEqual({ code: 0, signal: null });
    expectQuiet(running.output());
    expect(running.output()).toContain('"msg":"the database closed a connection during shutdown"');
    expect(isAlive(postmaster)).toBe(false);
  }, 180_000);
});

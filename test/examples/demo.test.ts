import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { eventually } from '../support/payments.ts';
import { createTestDatabase, startTestSystem, testEnv, type TestSystem } from '../support/system.ts';

/**
 * npm run demo (examples/merchant/server.ts) as a process: PORT is Sandpay's port there as for
 * `npm start`, and DEMO_PORT the shop's.
 */

const DEMO = path.join(PROJECT_ROOT, 'examples', 'merchant', 'server.ts');

let sys: TestSystem;
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const c of cleanups) await c();
  await sys?.stop();
});

/** The demo with exactly this environment (nothing SANDPAY_*, PORT or DEMO_PORT from the developer's shell). */
function startDemo(env: Record<string, string>) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(SANDPAY_|PORT$|DEMO_PORT$|DATABASE_URL$|DATA_DIR$)/.test(k)));
  const child = spawn(process.execPath, [DEMO], { cwd: PROJECT_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    /** Waits for the banner (or the process to end), then returns all it printed. */
    banner: () => eventually(async () => out, (o) => /Demo merchant:/.test(o) || child.exitCode !== null, 60_000),
  };
}

describe('npm run demo', () => {
  it('uses the Sandpay already running on PORT, and serves the shop on DEMO_PORT', async () => {
    const port = new URL(sys.url).port;
    const demoPort = await freePort();
    // No database it could start a Sandpay of its own on: only the one on PORT will do.
    const demo = startDemo({ PORT: port, DEMO_PORT: String(demoPort), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATA_DIR: path.join(sys.runtime.config.dataDir, 'demo') });
    const out = await demo.banner();
    expect(out).toContain(`Sandpay:        ${sys.url}\n`);
    expect(out).toContain(`Demo merchant:  http://localhost:${demoPort}\n`);
    const page = await fetch(`http://127.0.0.1:${demoPort}/`);
    expect(page.status).toBe(200);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  }, 90_000);

  it('starts Sandpay itself on PORT when none answers there', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const port = await freePort();
    const env = testEnv(db.url, { PORT: String(port), DEMO_PORT: '0' });
    cleanups.push(() => rm(env.DATA_DIR!, { recursive: true, force: true }));
    const demo = startDemo(env);
    const out = await demo.banner();
    expect(out).toContain(`Sandpay:        http://127.0.0.1:${port} (started by the demo)\n`);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  }, 90_000);
});

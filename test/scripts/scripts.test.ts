import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { isAlive } from '../../src/db/embedded-owner.ts';
import { generateWebhookSecret } from '../../src/tenants/keys.ts';
import { signatureHeaders } from '../../src/webhooks/signature.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { registerTenant } from '../support/client.ts';
import { createPayment, eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const run = promisify(execFile);
const script = (name: string) => path.join(PROJECT_ROOT, 'scripts', name);

let sys: TestSystem;
let dir: string;
let receiver: ChildProcess | undefined;
/** Processes the receiver tests start, killed at the end whatever happened. */
const leftovers: number[] = [];
beforeAll(async () => {
  sys = await startTestSystem({ WEBHOOK_RETRY_SCHEDULE: '1' });
  dir = await mkdtemp(path.join(tmpdir(), 'sandpay-captures-'));
});
afterAll(async () => {
  receiver?.kill('SIGKILL');
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await sys?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('scripts', () => {
  it('verify-webhook demo prints PASS for every check and exits 0', async () => {
    const { stdout } = await run(process.execPath, [script('verify-webhook.ts')]);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(7);
    expect(lines.every((l) => l.startsWith('PASS'))).toBe(true);
    expect(stdout).toMatch(/tampered body is rejected/);
  });

  it('webhook-receiver verifies and saves deliveries that verify-webhook then checks; --fail-rate drives retries', async () => {
    const t = await registerTenant(sys.url);
    const port = await freePort();
    const ep = await t.api.post('/webhook-endpoints', { url: `http://127.0.0.1:${port}/`, events: ['payment.success'] });
    receiver = spawn(process.execPath, [script('webhook-receiver.ts'), '--port', String(port), '--secret', ep.body.secret, '--save', dir, '--fail-rate', '1', '--status', '503'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    receiver.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await eventually(async () => out, (o) => o.includes('Receiving webhooks'));

    await createPayment(t.api);
    // Failing on purpose: both attempts answered 503, so the delivery dies.
    const [d] = await eventually(async () => (await t.api.get('/webhook-deliveries?status=dead')).body.data, (ds: any[]) => ds.length === 1);
    expect(d.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([503, 503]);
    expect(out).toMatch(/payment\.success .* standard OK, simple OK\s+-> 503/);
    expect(out).toMatch(/duplicate webhook-id/);

    const files = (await readdir(dir)).sort();
    const body = path.join(dir, files.find((f) => f.endsWith('attempt1.body.json'))!);
    const headers = path.join(dir, files.find((f) => f.endsWith('attempt1.headers.json'))!);
    const ok = await run(process.execPath, [script('verify-webhook.ts'), '--secret', ep.body.secret, '--body', body, '--headers', headers]);
    expect(ok.stdout).toMatch(/^PASS/);
    const bad = await run(process.execPath, [script('verify-webhook.ts'), '--secret', t.whsec, '--body', body, '--headers', headers]).catch((e: { code: number; stdout: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stdout: string }).stdout).toMatch(/^FAIL/);
  });
});

describe('verify-webhook never downgrades to the weaker scheme', () => {
  it('a 5-minute-old capture without webhook-signature fails the standard check; the simple one only when asked for', async () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ id: 'evt_old', type: 'payment.success', data: { object: { id: 'pay_old' } } });
    const { 'webhook-signature': _dropped, ...stripped } = signatureHeaders(secret, 'evt_old', body, Math.floor(Date.now() / 1000) - 330);
    const bodyFile = path.join(dir, 'old.body.json');
    const headersFile = path.join(dir, 'old.headers.json');
    await writeFile(bodyFile, body);
    await writeFile(headersFile, JSON.stringify(stripped));
    const verify = (...extra: string[]) =>
      run(process.execPath, [script('verify-webhook.ts'), '--secret', secret, '--body', bodyFile, '--headers', headersFile, ...extra]).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout + e.stderr }),
      );

    expect(await verify()).toEqual({ code: 1, stdout: 'FAIL  standard scheme: no webhook-signature header\n' });
    expect(await verify('--scheme', 'standard')).toEqual({ code: 1, stdout: 'FAIL  standard scheme: no webhook-signature header\n' });
    expect(await verify('--scheme', 'simple')).toEqual({ code: 0, stdout: 'PASS  signature valid (simple scheme, webhook-id evt_old)\n' });
    expect((await verify('--scheme', 'weak')).code).toBe(1);
  });
});

describe('webhook-receiver stops with whatever started it', () => {
  const POLLS = 100;

  /** The webhook-receiver process among root's descendants (npm -> sh -> node). */
  async function descendantReceiver(root: number): Promise<number | undefined> {
    const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,args=']);
    const procs = stdout.trim().split('\n').map((l) => {
      const [pid, ppid, ...args] = l.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), args: args.join(' ') };
    });
    const family = new Set([root]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of procs) if (family.has(p.ppid) && !family.has(p.pid)) grew = Boolean(family.add(p.pid));
    }
    return procs.find((p) => family.has(p.pid) && p.pid !== root && /^\S*node\S* .*webhook-receiver\.ts/.test(p.args))?.pid;
  }

  /** Waits (bounded by count) for the banner, and returns the receiver's pid. */
  async function receiverPid(child: ChildProcess): Promise<number> {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    for (let i = 0; i < POLLS * 3 && !out.includes('Receiving webhooks'); i++) await new Promise((r) => setTimeout(r, 100));
    const pid = await descendantReceiver(child.pid!);
    if (!pid) throw new Error(`no receiver process:\n${out}`);
    leftovers.push(pid);
    return pid;
  }

  async function gone(pid: number): Promise<boolean> {
    for (let i = 0; i < POLLS && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    return !isAlive(pid);
  }

  it('exits when npm run webhook-receiver gets SIGTERM', async () => {
    const npm = spawn('npm', ['run', 'webhook-receiver', '--', '--port', '0'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    leftovers.push(npm.pid!);
    const pid = await receiverPid(npm);
    expect(pid).not.toBe(npm.pid);
    npm.kill('SIGTERM');
    expect(await gone(pid), `receiver ${pid} still running after npm got SIGTERM`).toBe(true);
  }, 60_000);

  it('exits when its parent dies without passing a signal on (SIGKILL)', async () => {
    // `; true` keeps the shell as the receiver's parent instead of exec-ing it.
    const shell = spawn('sh', ['-c', `"${process.execPath}" scripts/webhook-receiver.ts --port 0; true`], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    leftovers.push(shell.pid!);
    const pid = await receiverPid(shell);
    shell.kill('SIGKILL');
    expect(await gone(pid), `receiver ${pid} still running after its parent died`).toBe(true);
  }, 60_000);
});

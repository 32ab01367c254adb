import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { registerTenant } from '../support/client.ts';
import { createPayment, eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const run = promisify(execFile);
const script = (name: string) => path.join(PROJECT_ROOT, 'scripts', name);

let sys: TestSystem;
let dir: string;
let receiver: ChildProcess | undefined;
beforeAll(async () => {
  sys = await startTestSystem({ WEBHOOK_RETRY_SCHEDULE: '1' });
  dir = await mkdtemp(path.join(tmpdir(), 'sandpay-captures-'));
});
afterAll(async () => {
  receiver?.kill('SIGKILL');
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

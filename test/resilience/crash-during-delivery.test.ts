import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { registerTenant } from '../support/client.ts';
import { createPayment, eventually } from '../support/payments.ts';
import { Receiver } from '../support/receiver.ts';
import { startTestSystem, testEnv, type TestSystem } from '../support/system.ts';

let api: TestSystem;
let rx: Receiver;
const workers: ChildProcess[] = [];

// Short expiry and sweep so a job held by a killed worker is retried within seconds. A job's
// expiry is fixed when it is enqueued, so the API process needs the same settings.
const FAST_EXPIRY = { WEBHOOK_TIMEOUT_MS: '1000', JOB_EXPIRE_SECONDS: '6', JOB_SUPERVISE_SECONDS: '1' };
const WORKER_ENV = { ...FAST_EXPIRY, SANDPAY_ROLE: 'worker', WEBHOOK_CONCURRENCY: '8' };

function startWorker(databaseUrl: string): ChildProcess {
  const env = { PATH: process.env.PATH ?? '', ...testEnv(databaseUrl, WORKER_ENV) };
  const child = spawn(process.execPath, ['app.ts'], { cwd: PROJECT_ROOT, env, stdio: 'ignore' });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  api = await startTestSystem({ ...FAST_EXPIRY, SANDPAY_ROLE: 'api' });
  rx = await new Receiver().start();
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await api?.stop();
  await rx?.stop();
});

describe('a worker killed with SIGKILL mid-delivery', () => {
  it('loses nothing: every event is delivered at least once, duplicates share a webhook-id', async () => {
    const t = await registerTenant(api.url);
    await t.api.post('/webhook-endpoints', { url: rx.url, events: ['*'] });
    rx.respond = () => ({ status: 200, delayMs: 150 }); // keeps deliveries in flight
    await Promise.all(Array.from({ length: 30 }, () => createPayment(t.api)));
    const eventIds = (await api.sql<{ id: string }>('SELECT id FROM events WHERE tenant_id = $1', [t.id])).map((e) => e.id);
    expect(eventIds).toHaveLength(60);

    const first = startWorker(api.databaseUrl);
    await eventually(async () => rx.received.length, (n) => n >= 10, 30_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const deliveredBeforeKill = rx.received.length;
    expect(deliveredBeforeKill).toBeLessThan(60);
    const inFlight = await api.sql(`SELECT id FROM webhook_deliveries WHERE lease_until > now()`);

    startWorker(api.databaseUrl);
    await eventually(() => api.sql(`SELECT id FROM webhook_deliveries WHERE status <> 'delivered'`), (rows) => rows.length === 0, 45_000);

    const received = new Set(rx.received.map((r) => r.headers['webhook-id'] as string));
    expect([...received].sort()).toEqual([...eventIds].sort());
    // Each duplicate is a redelivery of the same event: same webhook-id, same body.
    const bodies = new Map<string, string>();
    for (const r of rx.received) {
      const id = r.headers['webhook-id'] as string;
      if (bodies.has(id)) expect(r.rawBody).toBe(bodies.get(id));
      bodies.set(id, r.rawBody);
    }
    expect(rx.received.length).toBeGreaterThanOrEqual(60);
    expect(rx.received.length).toBeLessThanOrEqual(60 + inFlight.length + 8);
  }, 120_000);
});

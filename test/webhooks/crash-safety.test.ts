import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { Client, registerTenant } from '../support/client.ts';
import { createPayment, eventually } from '../support/payments.ts';
import { Receiver } from '../support/receiver.ts';
import { ADMIN_TOKEN, startTestSystem, testEnv, type TestSystem } from '../support/system.ts';

let api: TestSystem;
let worker: Runtime | undefined;
let rx: Receiver;

beforeAll(async () => {
  // An API process with no workers: jobs are written, nothing delivers them yet.
  api = await startTestSystem({ SANDPAY_ROLE: 'api' });
  rx = await new Receiver().start();
});
afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await rx?.stop();
});

describe('no event is lost between commit and delivery', () => {
  it('events committed while no worker runs are all delivered once a worker starts', async () => {
    const t = await registerTenant(api.url);
    await t.api.post('/webhook-endpoints', { url: rx.url, events: ['*'] });
    await Promise.all(Array.from({ length: 10 }, () => createPayment(t.api)));
    const [pending] = await api.sql<{ n: string }>(`SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'`);
    expect(Number(pending!.n)).toBe(20); // payment.created + payment.success for each
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.received).toHaveLength(0);
    const admin = new Client(api.url + '/api/v1', ADMIN_TOKEN);
    const before = (await admin.get('/test/jobs/status')).body;
    expect(before).toMatchObject({ worker_status: 'stopped' });
    // One delivery job per commit that fanned out (it owns that commit's deliveries).
    expect(before.pending).toBeGreaterThanOrEqual(10);

    worker = await startRuntime(loadConfig(testEnv(api.databaseUrl, { SANDPAY_ROLE: 'worker' })), createLogger('silent'));
    expect(worker.url).toBeNull();
    await eventually(async () => rx.received, (xs) => xs.length >= 20);
    const eventIds = (await api.sql<{ id: string }>('SELECT id FROM events WHERE tenant_id = $1', [t.id])).map((e) => e.id).sort();
    expect([...new Set(rx.received.map((r) => r.headers['webhook-id'] as string))].sort()).toEqual(eventIds);
    await eventually(() => api.sql(`SELECT 1 FROM webhook_deliveries WHERE status <> 'delivered'`), (rows) => rows.length === 0);
    expect((await admin.get('/test/jobs/status')).body.worker_status).toBe('running');
  });
});

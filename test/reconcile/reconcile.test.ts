import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/jobs/boss.ts';
import { Client, registerTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { Receiver } from '../support/receiver.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let admin: Client;
let rx: Receiver;
beforeAll(async () => {
  sys = await startTestSystem({ RECONCILE_STUCK_DELIVERY_SECONDS: '1' });
  admin = new Client(sys.url + '/api/v1', ADMIN_TOKEN);
  rx = await new Receiver().start();
});
afterAll(async () => {
  await sys?.stop();
  await rx?.stop();
});

describe('reconciliation', () => {
  it('expires an old pending payment and an old authorization, emitting payment.expired', async () => {
    const t = await registerTenant(sys.url);
    await t.api.post('/webhook-endpoints', { url: rx.url, events: ['payment.expired'] });
    const pending = await createPayment(t.api, cardBody(CARDS.stayPending));
    const authorized = await createPayment(t.api, cardBody(CARDS.visa, { capture: 'manual' }));
    const fresh = await createPayment(t.api, cardBody(CARDS.stayPending));
    await sys.sql(`UPDATE payments SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [[pending.id, authorized.id]]);

    const run = await admin.post('/admin/reconciliation-runs');
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ trigger: 'admin', expired_payments: 2, error: null });
    expect((await t.api.get(`/payments/${pending.id}`)).body.status).toBe('expired');
    expect((await t.api.get(`/payments/${authorized.id}`)).body.status).toBe('expired');
    expect((await t.api.get(`/payments/${fresh.id}`)).body.status).toBe('pending');
    await eventually(async () => rx.ofType('payment.expired'), (xs) => xs.length === 2);
    const audit = (await t.api.get(`/payments/${pending.id}/audit`)).body.data.at(-1);
    expect(audit).toMatchObject({ action: 'payment.expired_by_reconciliation', actor: { type: 'system' }, new_status: 'expired' });

    const runs = await admin.get('/admin/reconciliation-runs?limit=5');
    expect(runs.body.data[0]).toMatchObject({ id: run.body.id, expired_payments: 2 });
  });

  it('re-queues a delivery whose job was lost', async () => {
    const t = await registerTenant(sys.url);
    const slowRx = await new Receiver().start();
    try {
      await t.api.post('/webhook-endpoints', { url: slowRx.url, events: ['payment.success'] });
      // Stop the delivery worker so the job can be removed before anything delivers it.
      await sys.runtime.boss.offWork(QUEUES.webhookDelivery, { wait: true });
      await createPayment(t.api);
      const [d] = await sys.sql<{ id: string; job_id: string }>(`SELECT id, job_id FROM webhook_deliveries WHERE tenant_id = $1`, [t.id]);
      await sys.runtime.boss.deleteJob(QUEUES.webhookDelivery, d!.job_id);
      await sys.sql(`UPDATE webhook_deliveries SET created_at = now() - interval '1 minute' WHERE id = $1`, [d!.id]);

      const run = await admin.post('/admin/reconciliation-runs');
      expect(run.body.requeued_deliveries).toBe(1);
      const [after] = await sys.sql<{ job_id: string }>(`SELECT job_id FROM webhook_deliveries WHERE id = $1`, [d!.id]);
      expect(after!.job_id).not.toBe(d!.job_id);
      const jobs = await sys.runtime.boss.findJobs(QUEUES.webhookDelivery, { id: after!.job_id });
      expect(jobs[0]?.state).toBe('created');
    } finally {
      await slowRx.stop();
    }
  });
});

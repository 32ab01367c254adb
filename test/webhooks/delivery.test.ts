import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/webhooks/verify.ts';
import { Client, expectError, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { Receiver } from '../support/receiver.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let admin: Client;
const receivers: Receiver[] = [];

beforeAll(async () => {
  sys = await startTestSystem({ WEBHOOK_RETRY_SCHEDULE: '1,1', WEBHOOK_TIMEOUT_MS: '1500' });
  admin = new Client(sys.url + '/api/v1', ADMIN_TOKEN);
});
afterEach(async () => {
  while (receivers.length) await receivers.pop()!.stop();
});
afterAll(() => sys?.stop());

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

async function endpoint(t: TestTenant, url: string, events: string[] = ['*']) {
  const res = await t.api.post('/webhook-endpoints', { url, events, description: 'test' });
  expect(res.status, res.text).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  return res.body as { id: string; secret: string };
}

const deliveries = async (t: TestTenant, qs = '') => (await t.api.get(`/webhook-deliveries?limit=100${qs}`)).body.data;

/**
 * Waits until no job for the delivery is left to run (queued, retrying or running): the job of the
 * commit that made it (which names its event) and those of its retries (which name it). A job ends
 * only after its POST was answered, so from then on the receiver has seen every request the
 * delivery will ever make, unless someone requeues it.
 */
async function quiescent(deliveryId: string): Promise<void> {
  const [jobs] = await eventually(
    () => sys.sql<{ all: number; open: number }>(
      `SELECT count(*)::int AS all, count(*) FILTER (WHERE state IN ('created', 'retry', 'active'))::int AS open
         FROM pgboss.job WHERE name = 'webhook-delivery'
          AND (data->>'deliveryId' = $1 OR data->'eventIds' ? (SELECT event_id FROM webhook_deliveries WHERE id = $1))`,
      [deliveryId],
    ),
    (rows) => rows[0]!.open === 0,
  );
  expect(jobs!.all, 'the query finds the delivery\'s jobs at all').toBeGreaterThan(0);
}

const sentFor = (rx: Receiver, deliveryId: string) => rx.received.filter((r) => r.headers['x-sandpay-delivery'] === deliveryId);

describe('signed delivery', () => {
  it('delivers payment.success with both signature schemes, verifiable by Sandpay and standardwebhooks', async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    const ep = await endpoint(t, `${rx.url}/hooks`, ['payment.success']);
    const p = await createPayment(t.api);

    const [got] = await eventually(async () => rx.ofType('payment.success'), (xs) => xs.length === 1);
    expect(rx.received).toHaveLength(1); // subscribed to payment.success only
    expect(got!.path).toBe('/hooks');
    expect(got!.body).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'payment.success', data: { object: { id: p.id, status: 'success' } } });
    expect(got!.headers['webhook-id']).toBe(got!.body.id);
    expect(got!.headers['x-sandpay-event']).toBe('payment.success');
    expect(got!.headers['user-agent']).toMatch(/^Sandpay-Webhooks\//);
    expect(got!.headers['x-sandpay-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);

    expect(verifyWebhook(got!.rawBody, got!.headers, ep.secret)).toMatchObject({ valid: true, scheme: 'standard' });
    const std = new Webhook(ep.secret.slice('whsec_'.length));
    expect(() => std.verify(got!.rawBody, got!.headers as Record<string, string>)).not.toThrow();

    const oneByte = got!.rawBody.replace('"success"', '"succesS"');
    expect(verifyWebhook(oneByte, got!.headers, ep.secret).valid).toBe(false);
    expect(() => std.verify(oneByte, got!.headers as Record<string, string>)).toThrow();
    const { 'webhook-signature': _drop, ...simpleOnly } = got!.headers;
    expect(verifyWebhook(got!.rawBody, simpleOnly, ep.secret, { scheme: 'simple' })).toMatchObject({ valid: true, scheme: 'simple' });

    // The body is exactly the event as the API shows it.
    expect(JSON.parse(got!.rawBody)).toEqual((await t.api.get(`/events/${got!.body.id}`)).body);
    const [d] = await deliveries(t);
    expect(d).toMatchObject({ status: 'delivered', attempt_count: 1, endpoint_id: ep.id, event_type: 'payment.success' });
    expect(d.attempts[0]).toMatchObject({ attempt: 1, status_code: 200, response_body: 'ok' });
  });

  it('delivers every delivery of a commit, however many more than one round takes (events times endpoints)', async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    for (let i = 0; i < 6; i++) await endpoint(t, `${rx.url}/hooks/${i}`);
    const p = await createPayment(t.api, cardBody(CARDS.visa));
    // payment.created and payment.success to six endpoints: twelve deliveries, one job.
    await eventually(async () => (await deliveries(t)).filter((d: { status: string }) => d.status === 'delivered'), (ds) => ds.length === 12);
    const jobs = await sys.sql<{ n: number }>(`SELECT count(DISTINCT job_id)::int AS n FROM webhook_deliveries WHERE tenant_id = $1`, [t.id]);
    expect(jobs[0]!.n).toBe(1);
    expect(rx.received.filter((r) => r.body?.data?.object?.id === p.id)).toHaveLength(12);
  });

  it("sends a payment's events to its own webhook_url, signed with the tenant's secret", async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    const p = await createPayment(t.api, cardBody(CARDS.visa, { webhook_url: `${rx.url}/pay` }));
    await eventually(async () => rx.received, (xs) => xs.length === 2);
    expect(rx.received.map((r) => r.body.type).sort()).toEqual(['payment.created', 'payment.success']);
    for (const r of rx.received) {
      expect(r.body.data.object.id).toBe(p.id);
      expect(verifyWebhook(r.rawBody, r.headers, t.whsec).valid).toBe(true);
    }
  });

  it('retries: 500 twice then 200 is delivered on attempt 3 with three attempts logged, same webhook-id', async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    rx.respond = (_r, n) => (n <= 2 ? { status: 500, body: 'boom' } : { status: 200 });
    await endpoint(t, rx.url, ['payment.success']);
    await createPayment(t.api);
    const [d] = await eventually(() => deliveries(t), (ds) => ds[0]?.status === 'delivered');
    expect(d.attempt_count).toBe(3);
    expect(d.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 200]);
    expect(d.attempts[0].response_body).toBe('boom');
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(rx.received.map((r) => r.headers['webhook-signature'])).size).toBe(3); // re-signed each time
  });

  it("honours a receiver's Retry-After on 503", async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    rx.respond = (_r, n) => (n === 1 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 200 });
    await endpoint(t, rx.url, ['payment.success']);
    await createPayment(t.api);
    await eventually(async () => rx.received, (xs) => xs.length === 2, 15_000);
    expect(rx.received[1]!.at - rx.received[0]!.at).toBeGreaterThanOrEqual(2900);
  });
});

describe('dead letters and replay', () => {
  it('a receiver that always fails ends dead, in the tenant list and the admin DLQ; replay after fixing uses the new URL', async () => {
    const t = await registerTenant(sys.url);
    const broken = await receiver();
    broken.respond = () => ({ status: 500 });
    const ep = await endpoint(t, broken.url, ['payment.success']);
    await createPayment(t.api);
    const [dead] = await eventually(() => deliveries(t, '&status=dead'), (ds) => ds.length === 1);
    expect(dead).toMatchObject({ attempt_count: 3, last_status_code: 500 });
    expect(broken.received).toHaveLength(3);

    const dlq = await admin.get(`/admin/dlq?tenant_id=${t.id}`);
    expect(dlq.status).toBe(200);
    expect(dlq.body.data.map((d: { id: string }) => d.id)).toEqual([dead.id]);
    expect((await admin.get('/admin/jobs')).body.dead).toBeGreaterThanOrEqual(1);

    // The developer fixes their receiver, at a new URL, then the operator replays.
    const fixed = await receiver();
    expect((await t.api.patch(`/webhook-endpoints/${ep.id}`, { url: `${fixed.url}/v2` })).status).toBe(200);
    const replay = await admin.post(`/admin/dlq/${dead.id}/replay`);
    expect(replay.status).toBe(200);
    const [done] = await eventually(() => t.api.get(`/webhook-deliveries/${dead.id}`).then((r) => [r.body]), (ds) => ds[0].status === 'delivered');
    expect(done).toMatchObject({ attempt_count: 4, url: `${fixed.url}/v2` });
    expect(fixed.received).toHaveLength(1);
    expect(fixed.received[0]!.path).toBe('/v2');
    expect(fixed.received[0]!.headers['webhook-id']).toBe(broken.received[0]!.headers['webhook-id']);
    expect((await admin.get(`/admin/dlq?tenant_id=${t.id}`)).body.data).toEqual([]);
    const audit = await sys.sql<{ action: string }>(`SELECT action FROM audit_log WHERE object_id = $1`, [dead.id]);
    expect(audit.map((a) => a.action)).toEqual(['webhook_delivery.replayed']);
    expectError(await admin.post(`/admin/dlq/${dead.id}/replay`), 409, { type: 'state_error' });
  });

  it('bulk replay (tenant and admin) re-delivers every dead letter once; concurrent replays queue once', async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    let healthy = false;
    rx.respond = () => ({ status: healthy ? 200 : 500 });
    await endpoint(t, rx.url, ['payment.success']);
    await Promise.all(Array.from({ length: 4 }, () => createPayment(t.api)));
    await eventually(() => deliveries(t, '&status=dead'), (ds) => ds.length === 4);
    healthy = true;
    const before = rx.received.length;

    const [x, y] = await Promise.all([t.api.post('/webhook-deliveries/replay', { status: 'dead', limit: 2 }), admin.post('/admin/dlq/replay', { tenant_id: t.id, limit: 2 })]);
    expect(x.body.requeued + y.body.requeued).toBe(4);
    expect(new Set([...x.body.delivery_ids, ...y.body.delivery_ids]).size).toBe(4);
    await eventually(() => deliveries(t, '&status=delivered'), (ds) => ds.length === 4);
    expect(rx.received.length - before).toBe(4);

    // Two replays racing for the same dead letter: one queues it, the other finds nothing to do.
    rx.respond = () => ({ status: 500 });
    await createPayment(t.api);
    const [d] = await eventually(() => deliveries(t, '&status=dead'), (ds) => ds.length === 1);
    rx.respond = () => ({ status: 200 });
    expect(sentFor(rx, d.id)).toHaveLength(3);
    const races = await Promise.all([admin.post(`/admin/dlq/${d.id}/replay`), admin.post(`/admin/dlq/${d.id}/replay`), t.api.post('/webhook-deliveries/replay', {})]);
    const queued = races.filter((r) => r.status === 200 && (r.body.requeued ?? 1) === 1);
    expect(queued).toHaveLength(1);
    await eventually(() => t.api.get(`/webhook-deliveries/${d.id}`), (r) => r.body.status === 'delivered');
    await quiescent(d.id);
    // Sent once more, and the attempt log says the same: three failures, then one delivery.
    const final = (await t.api.get(`/webhook-deliveries/${d.id}`)).body;
    expect(final.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 500, 200]);
    expect(sentFor(rx, d.id)).toHaveLength(4);
  });

  it('410 Gone disables the endpoint and says so in the delivery log', async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    rx.respond = () => ({ status: 410 });
    const ep = await endpoint(t, rx.url);
    await createPayment(t.api);
    // Deliveries are written with the events, in the payment's transaction: these are all of its.
    const first = new Set((await deliveries(t)).map((d: { id: string }) => d.id));
    expect(first.size).toBeGreaterThanOrEqual(1);
    const ds = await eventually(() => deliveries(t, '&status=dead'), (xs) => xs.length >= 1);
    expect(ds[0].last_error).toMatch(/410 Gone/);
    const after = (await t.api.get(`/webhook-endpoints/${ep.id}`)).body;
    expect(after).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining('410') });

    // Disabled endpoints get no new deliveries until re-enabled: once the payment is answered its
    // events are fanned out, so a delivery for it would already be listed, and none is.
    const ignored = await createPayment(t.api);
    expect((await t.api.get(`/events?limit=100`)).body.data.some((e: any) => e.data.object.id === ignored.id)).toBe(true);
    expect((await deliveries(t)).filter((d: { id: string }) => !first.has(d.id))).toEqual([]);

    expect((await t.api.patch(`/webhook-endpoints/${ep.id}`, { enabled: true })).body).toMatchObject({ enabled: true, disabled_reason: null });
    rx.respond = () => ({ status: 200 });
    const heard = await createPayment(t.api);
    await eventually(async () => rx.received, (xs) => xs.some((r) => r.body?.data?.object?.id === heard.id));
    expect(rx.received.filter((r) => r.body?.data?.object?.id === ignored.id)).toEqual([]);
  });

  it('manual retry re-sends a delivered event with the same webhook-id; a queued one is 409', async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    await endpoint(t, rx.url, ['payment.success']);
    await createPayment(t.api);
    const [d] = await eventually(() => deliveries(t), (ds) => ds[0]?.status === 'delivered');
    const retried = await t.api.post(`/webhook-deliveries/${d.id}/retry`);
    expect(retried.status).toBe(200);
    await eventually(async () => rx.received, (xs) => xs.length === 2);
    expect(rx.received[1]!.headers['webhook-id']).toBe(rx.received[0]!.headers['webhook-id']);
    expect(rx.received[1]!.headers['x-sandpay-attempt']).toBe('2');

    const slow = await receiver();
    slow.respond = () => ({ status: 200, delayMs: 1000 });
    await t.api.patch(`/webhook-endpoints/${(await t.api.get('/webhook-endpoints')).body.data[0].id}`, { url: slow.url });
    await createPayment(t.api);
    const [queued] = await eventually(() => deliveries(t), (ds) => ds[0]?.status === 'pending');
    expectError(await t.api.post(`/webhook-deliveries/${queued.id}/retry`), 409, { type: 'state_error' });
  });
});

describe('endpoints', () => {
  it('CRUD, event filters, secret rotation and deletion', async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    const ep = await endpoint(t, rx.url, ['refund.created']);
    expect((await t.api.get(`/webhook-endpoints/${ep.id}`)).body).not.toHaveProperty('secret');
    expectError(await t.api.post('/webhook-endpoints', { url: rx.url, events: ['payment.exploded'] }), 400, { param: 'events.0' });
    expectError(await t.api.post('/webhook-endpoints', { url: rx.url, events: [] }), 400, { param: 'events' });
    expectError(await t.api.post('/webhook-endpoints', { url: 'javascript:alert(1)', events: ['*'] }), 400, { param: 'url' });

    const rotated = await t.api.post(`/webhook-endpoints/${ep.id}/rotate-secret`);
    expect(rotated.body.secret).not.toBe(ep.secret);
    const p = await createPayment(t.api);
    await t.api.post(`/payments/${p.id}/refunds`, {});
    const [got] = await eventually(async () => rx.received, (xs) => xs.length === 1);
    expect(got!.body.type).toBe('refund.created');
    expect(verifyWebhook(got!.rawBody, got!.headers, rotated.body.secret).valid).toBe(true);
    expect(verifyWebhook(got!.rawBody, got!.headers, ep.secret).valid).toBe(false);

    expect((await t.api.delete(`/webhook-endpoints/${ep.id}`)).body).toMatchObject({ id: ep.id, deleted: true });
    expectError(await t.api.get(`/webhook-endpoints/${ep.id}`), 404);
    expect((await t.api.get('/webhook-endpoints')).body.data).toEqual([]);
  });

  it('job status answers on the admin and the compatibility path', async () => {
    const a = await admin.get('/admin/jobs');
    expect(a.body).toMatchObject({ pending: expect.any(Number), processing: expect.any(Number), completed: expect.any(Number), failed: expect.any(Number), dead: expect.any(Number), worker_status: 'running' });
    // Counts across tenants: the compatibility path needs the admin token too.
    expectError(await new Client(sys.url + '/api/v1').get('/test/jobs/status'), 401);
    const compat = await admin.get('/test/jobs/status');
    expect(compat.status).toBe(200);
    expect(Object.keys(compat.body)).toEqual(expect.arrayContaining(['pending', 'processing', 'completed', 'failed', 'dead', 'worker_status']));
  });
});

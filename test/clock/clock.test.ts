import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceTarget, parseDuration } from '../../src/clock/clock.ts';
import { Client, expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { Receiver } from '../support/receiver.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

const DAY = 86_400_000;

let sys: TestSystem;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // Retries far apart in real time: in these tests only a clock advance attempts them.
  sys = await startTestSystem({ WEBHOOK_RETRY_SCHEDULE: '600,3600,7200' });
});
afterAll(async () => {
  for (const r of receivers) await r.stop();
  await sys?.stop();
});

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

const clock = async (t: TestTenant) => {
  const res = await t.api.get('/test-clock');
  expect(res.status, res.text).toBe(200);
  return res.body as { object: string; id: string; time: string; offset_seconds: number; status: string; advancing_to: string | null };
};

/** Advances the tenant's clock and waits for the advance to end (status ready again). */
async function advance(t: TestTenant, body: Record<string, unknown>) {
  const res = await t.api.post('/test-clock/advance', body);
  expect(res.status, res.text).toBe(202);
  expect(res.body.status).toBe('advancing');
  return eventually(() => clock(t), (c) => c.status === 'ready', 30_000);
}

const eventTypes = async (t: TestTenant, objectId: string) =>
  ((await t.api.get(`/events?limit=100&object_id=${objectId}`)).body.data as Array<{ type: string; created_at: string }>).map((e) => e.type).reverse();

describe('durations (pure)', () => {
  it('reads d, h, m and s, alone or combined, and nothing else', () => {
    expect(parseDuration('3d')).toBe(3 * DAY);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('1d12h')).toBe(1.5 * DAY);
    for (const bad of ['', '3', 'd', '-3d', '3w', '1.5d', '3 d']) expect(parseDuration(bad), bad).toBeNull();
  });

  it('takes the clock forward only, by a duration or to a later time, at most ten years at once', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(advanceTarget(now, { by: '2h' }).toISOString()).toBe('2030-01-01T02:00:00.000Z');
    expect(advanceTarget(now, { to: '2030-02-01T00:00:00Z' }).toISOString()).toBe('2030-02-01T00:00:00.000Z');
    const code = (input: { by?: string; to?: string }) => {
      try {
        advanceTarget(now, input);
      } catch (err) {
        return (err as { code: string }).code;
      }
      return 'accepted';
    };
    expect(code({ to: '2030-01-01T00:00:00Z' })).toBe('clock_backward');
    expect(code({ to: '2029-12-31T23:59:59Z' })).toBe('clock_backward');
    expect(code({ by: '0d' })).toBe('clock_backward');
    expect(code({ by: '3651d' })).toBe('parameter_invalid');
    expect(code({ to: 'tomorrow' })).toBe('parameter_invalid');
    expect(code({})).toBe('parameter_missing');
  });
});

describe('the tenant clock', () => {
  it('reads real time by default, and an advance moves it forward, answering 202 then ready with a test_clock.ready event', async () => {
    const t = await registerTenant(sys.url);
    const before = await clock(t);
    expect(before).toMatchObject({ object: 'test_clock', id: t.id, offset_seconds: 0, status: 'ready', advancing_to: null });
    expect(Math.abs(new Date(before.time).getTime() - Date.now())).toBeLessThan(60_000);

    const ready = await advance(t, { by: '3d' });
    expect(ready.offset_seconds).toBeGreaterThanOrEqual(3 * 86_400 - 60);
    expect(ready.offset_seconds).toBeLessThanOrEqual(3 * 86_400);
    expect(new Date(ready.time).getTime() - Date.now()).toBeGreaterThan(3 * DAY - 60_000);

    const events = (await t.api.get('/events?type=test_clock.ready')).body.data;
    expect(events).toHaveLength(1);
    expect(events[0].data.object).toMatchObject({ object: 'test_clock', id: t.id, status: 'ready' });

    // New objects are dated on the clock.
    const p = await createPayment(t.api);
    expect(new Date(p.created_at).getTime() - Date.now()).toBeGreaterThan(3 * DAY - 60_000);
    const created = (await t.api.get(`/events?object_id=${p.id}`)).body.data.at(-1);
    expect(new Date(created.created_at).getTime() - Date.now()).toBeGreaterThan(3 * DAY - 60_000);

    // The dashboard's overview counts on the clock: the payment is today's and the last hour's.
    const o = (await t.api.get('/overview?tz=UTC')).body;
    expect(new Date(o.generated_at).getTime() - Date.now()).toBeGreaterThan(3 * DAY - 60_000);
    expect(o.payments.last_hour.count).toBe(1);
    expect(o.payments.today.succeeded).toBe(1);
    expect(o.series.payments_by_status.success.reduce((a: number, b: number) => a + b, 0)).toBe(1);
  });

  it('moves forward only: backward, zero and malformed advances are 400s, and to a later time works', async () => {
    const t = await registerTenant(sys.url);
    const now = await clock(t);
    expectError(await t.api.post('/test-clock/advance', { to: new Date(Date.now() - DAY).toISOString() }), 400, { code: 'clock_backward', param: 'to' });
    expectError(await t.api.post('/test-clock/advance', { by: '0s' }), 400, { code: 'clock_backward', param: 'by' });
    expectError(await t.api.post('/test-clock/advance', { by: 'soon' }), 400, { code: 'parameter_invalid', param: 'by' });
    expectError(await t.api.post('/test-clock/advance', {}), 400, { code: 'parameter_missing' });
    expectError(await t.api.post('/test-clock/advance', { by: '1d', to: now.time }), 400, { code: 'parameter_missing' });
    expect((await clock(t)).offset_seconds).toBe(0);

    const target = new Date(Date.now() + 10 * DAY);
    const ready = await advance(t, { to: target.toISOString() });
    expect(Math.abs(new Date(ready.time).getTime() - target.getTime())).toBeLessThan(60_000);
    expectError(await t.api.post('/test-clock/advance', { to: new Date(Date.now() + DAY).toISOString() }), 400, { code: 'clock_backward' });
  });

  it('of two advances racing, one wins and the other is a 409', async () => {
    const t = await registerTenant(sys.url);
    const answers = await Promise.all([t.api.post('/test-clock/advance', { by: '1d' }), t.api.post('/test-clock/advance', { by: '2d' })]);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses, answers.map((a) => a.text).join('\n')).toEqual([202, 409]);
    expectError(answers.find((a) => a.status === 409)!, 409, { code: 'clock_advancing' });
    const winner = answers.find((a) => a.status === 202)!.body;
    const ready = await eventually(() => clock(t), (c) => c.status === 'ready', 30_000);
    expect(Math.abs(new Date(ready.time).getTime() - new Date(winner.advancing_to).getTime())).toBeLessThan(60_000);
  });

  it('requests during an advance see the old time, and after it the new one, never a time in between', async () => {
    const t = await registerTenant(sys.url);
    // A slow, failing receiver makes the advance take a few seconds: each of its retries waits for it.
    const rx = await receiver();
    rx.respond = () => ({ status: 503, delayMs: 1200 });
    expect((await t.api.post('/webhook-endpoints', { url: rx.url + '/hooks', events: ['order.created'] })).status).toBe(201);
    expect((await t.api.post('/orders', { amount: 1000, currency: 'INR' }, { idem: idemKey() })).status).toBe(201);
    await eventually(async () => (await t.api.get('/webhook-deliveries')).body.data, (d) => d[0]?.attempt_count === 1);

    const old = Date.now();
    expect((await t.api.post('/test-clock/advance', { by: '1d' })).status).toBe(202);
    const during: number[] = [];
    // Bounded by count (well under the tenant's rate limit): on a fast machine the advance may
    // outlast them, and is then awaited.
    for (let i = 0; i < 150; i++) {
      const c = await clock(t);
      if (c.status === 'ready') break;
      // Still the old time while advancing.
      expect(Math.abs(new Date(c.time).getTime() - Date.now())).toBeLessThan(60_000);
      during.push(new Date((await createPayment(t.api)).created_at).getTime());
    }
    await eventually(() => clock(t), (c) => c.status === 'ready');
    // Each payment is dated on the old clock or (made as the advance ended) on the new one.
    const onOld = during.filter((at) => Math.abs(at - old) < 60_000);
    const onNew = during.filter((at) => Math.abs(at - old - DAY) < 60_000);
    expect(onOld.length, 'the advance ended before any request ran during it').toBeGreaterThan(0);
    expect(onOld.length + onNew.length, JSON.stringify(during)).toBe(during.length);
    const after = await createPayment(t.api);
    expect(new Date(after.created_at).getTime() - Date.now()).toBeGreaterThan(DAY - 60_000);
  });

  it("keeps tenants' clocks independent", async () => {
    const a = await registerTenant(sys.url);
    const b = await registerTenant(sys.url);
    await advance(a, { by: '30d' });
    expect((await clock(a)).offset_seconds).toBeGreaterThan(29 * 86_400);
    expect((await clock(b)).offset_seconds).toBe(0);
    const pb = await createPayment(b.api);
    expect(Math.abs(new Date(pb.created_at).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('goes back to real time only while the tenant has no object', async () => {
    const t = await registerTenant(sys.url);
    await advance(t, { by: '1d' });
    const reset = await t.api.post('/test-clock/reset', {});
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body.offset_seconds).toBe(0);
    await advance(t, { by: '1d' });
    await createPayment(t.api);
    expectError(await t.api.post('/test-clock/reset', {}), 409, { code: 'clock_in_use' });
  });
});

describe('what falls due during an advance', () => {
  it('an authorized payment left uncaptured expires after 7 days on the clock, with payment.expired dated then', async () => {
    const t = await registerTenant(sys.url);
    const p = await createPayment(t.api, cardBody(undefined, { capture: 'manual' }));
    expect(p.status).toBe('authorized');
    const expiresAt = new Date(p.expires_at).getTime();
    expect(expiresAt - new Date(p.authorized_at).getTime()).toBe(7 * DAY);

    await advance(t, { by: '6d' });
    expect((await t.api.get(`/payments/${p.id}`)).body.status).toBe('authorized');
    await advance(t, { by: '2d' });
    const after = (await t.api.get(`/payments/${p.id}`)).body;
    expect(after.status).toBe('expired');
    expect(await eventTypes(t, p.id)).toEqual(['payment.created', 'payment.authorized', 'payment.expired']);
    const expired = (await t.api.get(`/events?type=payment.expired&object_id=${p.id}`)).body.data[0];
    // Dated when it expired on the clock, not when the advance ran.
    expect(Math.abs(new Date(expired.created_at).getTime() - expiresAt)).toBeLessThan(2000);
    expect(Math.abs(new Date(after.updated_at).getTime() - expiresAt)).toBeLessThan(2000);
    // A capture now is refused like any capture of an expired payment.
    const capture = await t.api.post(`/payments/${p.id}/capture`, {}, { idem: idemKey() });
    expect(capture.status).toBe(409);
  });

  it('a payment left pending (async, no answer from the payer) times out after 15 minutes on the clock', async () => {
    const t = await registerTenant(sys.url);
    const p = await createPayment(t.api, cardBody(CARDS.stayPending));
    expect(p.status).toBe('pending');
    await advance(t, { by: '14m' });
    expect((await t.api.get(`/payments/${p.id}`)).body.status).toBe('pending');
    await advance(t, { by: '2m' });
    expect((await t.api.get(`/payments/${p.id}`)).body.status).toBe('expired');
    expect(await eventTypes(t, p.id)).toEqual(['payment.created', 'payment.expired']);
  });

  it('a checkout session expires at its expires_at on the clock, and its order stays unpaid', async () => {
    const t = await registerTenant(sys.url);
    const res = await t.api.post('/checkout/sessions', { amount: 1000, currency: 'INR', expires_in: 3600 });
    expect(res.status, res.text).toBe(201);
    const s = res.body;
    await advance(t, { by: '59m' });
    expect((await t.api.get(`/checkout/sessions/${s.id}`)).body.status).toBe('open');
    await advance(t, { by: '2m' });
    const after = (await t.api.get(`/checkout/sessions/${s.id}`)).body;
    expect(after.status).toBe('expired');
    const ev = (await t.api.get(`/events?type=checkout.session.expired&object_id=${s.id}`)).body.data;
    expect(ev).toHaveLength(1);
    expect(Math.abs(new Date(ev[0].created_at).getTime() - new Date(s.expires_at).getTime())).toBeLessThan(2000);
    expect((await t.api.get(`/orders/${s.order_id}`)).body.status).not.toBe('paid');
  });

  it("a failing endpoint's whole retry schedule runs in one advance, in order, and ends dead; signatures keep real time", async () => {
    const t = await registerTenant(sys.url);
    const rx = await receiver();
    rx.respond = () => ({ status: 500, body: 'down' });
    const ep = await t.api.post('/webhook-endpoints', { url: rx.url + '/hooks', events: ['payment.success'] });
    expect(ep.status, ep.text).toBe(201);
    await createPayment(t.api);
    const first = await eventually(async () => (await t.api.get('/webhook-deliveries?limit=10')).body.data, (d) => d.length === 1 && d[0].attempt_count === 1 && d[0].status === 'failed');
    expect(first[0].event_type).toBe('payment.success');

    await advance(t, { by: '1d' });
    const d = (await t.api.get(`/webhook-deliveries/${first[0].id}`)).body;
    expect(d.status).toBe('dead');
    expect(d.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3, 4]);
    // Each retry at its time on the clock: 600 s, 3600 s and 7200 s after the attempt before.
    const at = d.attempts.map((a: { created_at: string }) => new Date(a.created_at).getTime());
    expect(at.slice(1).map((x: number, i: number) => Math.round((x - at[i]) / 1000))).toEqual([600, 3600, 7200]);
    const sent = rx.received.filter((r) => r.headers['x-sandpay-delivery'] === d.id);
    expect(sent.map((r) => r.headers['x-sandpay-attempt'])).toEqual(['1', '2', '3', '4']);
    // Signed at real wall-clock time: a receiver's tolerance check (5 minutes) must pass.
    for (const r of sent) expect(Math.abs(Number(r.headers['webhook-timestamp']) * 1000 - r.at)).toBeLessThan(300_000);
    const dead = (await t.api.get('/webhook-deliveries?status=dead')).body.data;
    expect(dead.map((x: { id: string }) => x.id)).toContain(d.id);
  });

  it("reconciliation expires a payment overdue on its tenant's clock, though not yet in real time", async () => {
    const t = await registerTenant(sys.url);
    await advance(t, { by: '1d' });
    const overdue = await createPayment(t.api, cardBody(CARDS.stayPending));
    const fresh = await createPayment(t.api, cardBody(CARDS.stayPending));
    // Past on the clock (a day ahead), still a day away in real time.
    await sys.sql(`UPDATE payments SET expires_at = now() + interval '1 day' - interval '1 minute' WHERE id = $1`, [overdue.id]);
    const run = await new Client(sys.url + '/api/v1', ADMIN_TOKEN).post('/admin/reconciliation-runs');
    expect(run.status, run.text).toBe(201);
    expect(run.body.expired_payments).toBeGreaterThanOrEqual(1);
    expect((await t.api.get(`/payments/${overdue.id}`)).body.status).toBe('expired');
    expect((await t.api.get(`/payments/${fresh.id}`)).body.status).toBe('pending');
  });

  it("a rotated key's grace period ends on the clock", async () => {
    const t = await registerTenant(sys.url);
    const rotated = await t.api.post('/auth/keys/rotate', { type: 'secret', expire_old_in: 3600 });
    expect(rotated.status, rotated.text).toBe(200);
    const fresh = t.api.withKey(rotated.body.secret_key);
    expect((await t.api.get('/test-clock')).status).toBe(200); // the old key, within its grace
    await advance({ ...t, api: fresh }, { by: '59m' });
    expect((await t.api.get('/payments')).status).toBe(200);
    await advance({ ...t, api: fresh }, { by: '2m' });
    expectError(await t.api.get('/payments'), 401);
    expect((await fresh.get('/payments')).status).toBe(200);
  });
});

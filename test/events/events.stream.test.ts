import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse, type SseMessage } from '../../src/cli/sse.ts';
import { loadConfig } from '../../src/config.ts';
import { newId } from '../../src/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { Client, expectError, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { Receiver } from '../support/receiver.ts';
import { startTestSystem, testEnv, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let second: Runtime;
let t: TestTenant;
const streams: AbortController[] = [];

beforeAll(async () => {
  sys = await startTestSystem({ EVENT_STREAM_HEARTBEAT_MS: '200', REFUND_PROCESS_DELAY_MS: '600000' });
  // A second API process on the same database: NOTIFY must reach streams on either.
  const config = loadConfig(testEnv(sys.databaseUrl, { SANDPAY_ROLE: 'api' }));
  second = await startRuntime(config, createLogger(config.logLevel));
  t = await registerTenant(sys.url);
});
afterAll(async () => {
  for (const s of streams) s.abort();
  await second?.stop();
  await sys?.stop();
});

/** An open GET /events/stream whose messages (heartbeats counted apart) are collected as they come. */
async function openStream(baseUrl: string, key: string, opts: { query?: string; lastEventId?: string } = {}) {
  const abort = new AbortController();
  streams.push(abort);
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'text/event-stream' };
  if (opts.lastEventId !== undefined) headers['last-event-id'] = opts.lastEventId;
  const res = await fetch(`${baseUrl}/api/v1/events/stream${opts.query ?? ''}`, { headers, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const s = { messages: [] as SseMessage[], chunks: 0, close: () => abort.abort() };
  void (async () => {
    try {
      for await (const m of readSse(res.body!, () => s.chunks++)) s.messages.push(m);
    } catch {
      // aborted
    }
  })();
  await eventually(async () => s.messages, (m) => m.length >= 1);
  return s;
}

/** Stream ids "tx-pos" strictly increasing as pairs of integers. */
function ordered(ids: string[]): boolean {
  const key = (id: string) => id.split('-').map(BigInt) as [bigint, bigint];
  return ids.every((id, i) => {
    if (i === 0) return true;
    const [a, b] = [key(ids[i - 1]!), key(id)];
    return b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]);
  });
}

const events = (s: { messages: SseMessage[] }) => s.messages.filter((m) => m.event !== 'ready');
const waitEvents = (s: { messages: SseMessage[] }, n: number) => eventually(async () => events(s), (e) => e.length >= n);

describe('GET /events/stream', () => {
  it('starts with a ready message, then streams events committed after it in order, with the webhook body', async () => {
    await createPayment(t.api); // before the stream: not sent
    const s = await openStream(sys.url, t.sk);
    const ready = s.messages[0]!;
    expect(ready.event).toBe('ready');
    expect(ready.id).toMatch(/^\d+-0$/);
    expect(JSON.parse(ready.data)).toMatchObject({ object: 'event_stream', resume_after: ready.id, types: ['*'] });

    const p = await createPayment(t.api);
    const got = await waitEvents(s, 2);
    expect(got.map((m) => m.event)).toEqual(['payment.created', 'payment.success']);
    expect(got.map((m) => m.id).every((id) => /^\d+-\d+$/.test(id!))).toBe(true);
    expect(ordered(got.map((m) => m.id!))).toBe(true);
    const body = JSON.parse(got[1]!.data);
    expect(body.data.object.id).toBe(p.id);
    expect(got[1]!.data).toBe(JSON.stringify((await t.api.get(`/events/${body.id}`)).body));
    s.close();
  });

  it('sends heartbeats while idle', async () => {
    const s = await openStream(sys.url, t.sk);
    const before = s.chunks;
    await eventually(async () => s.chunks, (n) => n >= before + 2);
    expect(events(s)).toEqual([]);
    s.close();
  });

  it('resumes after Last-Event-ID with exactly the events committed meanwhile, in commit order', async () => {
    const first = await openStream(sys.url, t.sk);
    const resumeFrom = first.messages[0]!.id!;
    first.close();
    const made = [await createPayment(t.api), await createPayment(t.api, cardBody(CARDS.declined))];
    const s = await openStream(sys.url, t.sk, { lastEventId: resumeFrom });
    expect(s.messages[0]!.id).toBe(resumeFrom);
    const got = await waitEvents(s, 4);
    expect(got.map((m) => `${JSON.parse(m.data).data.object.id} ${m.event}`)).toEqual([
      `${made[0].id} payment.created`, `${made[0].id} payment.success`, `${made[1].id} payment.created`, `${made[1].id} payment.failed`,
    ]);
    // From the second event on: the two after it.
    const mid = await openStream(sys.url, t.sk, { lastEventId: got[1]!.id! });
    expect((await waitEvents(mid, 2)).map((m) => m.id)).toEqual(got.slice(2).map((m) => m.id));
    // ?last_event_id= does the same for clients that cannot set the header.
    const q = await openStream(sys.url, t.sk, { query: `?last_event_id=${resumeFrom}` });
    expect((await waitEvents(q, 4)).map((m) => m.id)).toEqual(got.map((m) => m.id));
    for (const x of [s, mid, q]) x.close();
  });

  it('holds back an event while an older transaction is still open, so a late commit is never skipped', async () => {
    const tenant = await registerTenant(sys.url);
    const s = await openStream(sys.url, tenant.sk);
    // A transaction that starts first (lower id) and writes an event, but commits last.
    const early = new pg.Client({ connectionString: sys.databaseUrl });
    await early.connect();
    await early.query('BEGIN');
    const lateId = newId('event');
    await early.query(
      `INSERT INTO events (id, tenant_id, type, object_type, object_id, payload) VALUES ($1, $2, 'payment.created', 'payment', 'pay_x', '{"object":"payment","id":"pay_x"}')`,
      [lateId, tenant.id],
    );
    const p = await createPayment(tenant.api); // commits first
    await early.query('COMMIT');
    await early.end();
    const got = await waitEvents(s, 3);
    expect(got.map((m) => JSON.parse(m.data).id)[0]).toBe(lateId);
    expect(got.slice(1).map((m) => `${JSON.parse(m.data).data.object.id} ${m.event}`)).toEqual([`${p.id} payment.created`, `${p.id} payment.success`]);
    const resumed = await openStream(sys.url, tenant.sk, { lastEventId: s.messages[0]!.id! });
    expect((await waitEvents(resumed, 3)).map((m) => m.id)).toEqual(got.map((m) => m.id));
    s.close();
    resumed.close();
  });

  it('filters by type patterns, and hears events committed through another API process', async () => {
    const s = await openStream(sys.url, t.sk, { query: '?types=payment.failed,refund.*' });
    expect(JSON.parse(s.messages[0]!.data).types).toEqual(['payment.failed', 'refund.*']);
    const other = await registerTenant(second.url!);
    // Through the second process: a declined payment and a refund of a successful one.
    const viaSecond = new Client(`${second.url}/api/v1`, t.sk);
    const declined = await createPayment(viaSecond, cardBody(CARDS.declined));
    const ok = await createPayment(viaSecond);
    const refund = (await viaSecond.post(`/payments/${ok.id}/refunds`, {})).body;
    await createPayment(other.api); // another tenant's: never on this stream
    const got = await waitEvents(s, 2);
    expect(got.map((m) => m.event)).toEqual(['payment.failed', 'refund.created']);
    expect(JSON.parse(got[0]!.data).data.object.id).toBe(declined.id);
    expect(JSON.parse(got[1]!.data).data.object.id).toBe(refund.id);
    s.close();
  });

  it('loses and repeats nothing under concurrent commits', async () => {
    const fresh = await registerTenant(sys.url);
    const s = await openStream(second.url!, fresh.sk);
    await Promise.all(Array.from({ length: 12 }, () => createPayment(fresh.api)));
    const got = await waitEvents(s, 24);
    const ids = got.map((m) => JSON.parse(m.data).id);
    expect(new Set(ids).size).toBe(24);
    expect(ordered(got.map((m) => m.id!))).toBe(true);
    const all = await sys.sql<{ id: string }>('SELECT id FROM events WHERE tenant_id = $1', [fresh.id]);
    expect(new Set(ids)).toEqual(new Set(all.map((r) => r.id)));
    // A resume from the start sees the same events in the same order.
    const again = await openStream(sys.url, fresh.sk, { lastEventId: s.messages[0]!.id! });
    expect((await waitEvents(again, 24)).map((m) => m.id)).toEqual(got.map((m) => m.id));
    s.close();
    again.close();
  });

  it('refuses bad input before opening a stream, and needs the secret key', async () => {
    const url = `${sys.url}/api/v1/events/stream`;
    const get = async (query: string, headers: Record<string, string> = {}) => {
      const res = await fetch(url + query, { headers: { authorization: `Bearer ${t.sk}`, ...headers } });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
    };
    expectError(await get('?types=payment.nope'), 400, { code: 'parameter_invalid', param: 'types' });
    expectError(await get('', { 'last-event-id': 'abc' }), 400, { code: 'invalid_last_event_id' });
    expectError(await get('?last_event_id=12'), 400, { param: 'last_event_id' });
    const pk = await fetch(url, { headers: { authorization: `Bearer ${t.pk}` } });
    expect(pk.status).toBe(403);
    await pk.text();
  });
});

describe('POST /events/:id/resend', () => {
  it('delivers the same event again (same webhook-id) to its current targets, or to one named endpoint', async () => {
    const rx = await new Receiver().start();
    const tenant = await registerTenant(sys.url);
    const subscribed = (await tenant.api.post('/webhook-endpoints', { url: `${rx.url}/a`, events: ['payment.success'] })).body;
    const other = (await tenant.api.post('/webhook-endpoints', { url: `${rx.url}/b`, events: ['refund.processed'] })).body;
    await createPayment(tenant.api);
    const [first] = await eventually(async () => rx.ofType('payment.success'), (r) => r.length === 1);
    const eventId = first!.body.id;

    const res = await tenant.api.post(`/events/${eventId}/resend`, {});
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ object: 'event_resend', event_id: eventId });
    expect(res.body.deliveries.map((d: { endpoint_id: string }) => d.endpoint_id)).toEqual([subscribed.id]);
    const named = await tenant.api.post(`/events/${eventId}/resend`, { endpoint_id: other.id });
    expect(named.body.deliveries.map((d: { endpoint_id: string }) => d.endpoint_id)).toEqual([other.id]);

    const all = await eventually(async () => rx.ofType('payment.success'), (r) => r.length === 3);
    expect(all.map((r) => r.headers['webhook-id'])).toEqual([eventId, eventId, eventId]);
    expect(all.map((r) => r.path).sort()).toEqual(['/a', '/a', '/b']);
    expect(new Set(all.map((r) => r.rawBody)).size).toBe(1);
    const audit = await sys.sql('SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = $1 AND action = $2', [tenant.id, 'webhook_delivery.resent']);
    expect(audit[0]!.n).toBe(2);

    expectError(await t.api.post(`/events/${eventId}/resend`, {}), 404, { code: 'resource_missing' });
    expectError(await tenant.api.post(`/events/${eventId}/resend`, { endpoint_id: 'we_00000000000000000000' }), 404, { param: 'endpoint_id' });
    await rx.stop();
  });

  it('says so when the event has nowhere to go', async () => {
    const tenant = await registerTenant(sys.url);
    await createPayment(tenant.api);
    const [e] = (await tenant.api.get('/events?limit=1')).body.data;
    expectError(await tenant.api.post(`/events/${e.id}/resend`, {}), 409, { code: 'no_webhook_targets' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { EVENT_TYPES } from '../../src/events/events.ts';
import { RAZORPAY_EVENTS } from '../../src/faces/razorpay/events.ts';
import { SENT_EVENTS } from '../../src/faces/stripe/events.ts';
import { expectError, registerTenant, type TestTenant } from '../support/client.ts';
import { FORGERY_CASES, startNaiveHandler, startReceiver, startSilentHandler, type RunningHandler } from '../support/handlers.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * POST /api/v1/webhook-endpoints/:id/check: the handler check against a registered endpoint,
 * with its format and its secret, answered as the graded table.
 */

let sys: TestSystem;
let t: TestTenant;
let naive: RunningHandler;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  naive = await startNaiveHandler();
  stops.push(naive.stop);
}, 60_000);
afterAll(async () => {
  for (const stop of stops) await stop();
  await sys?.stop();
});

const FORMATS = [
  { format: 'sandpay', events: EVENT_TYPES, timestamped: true },
  { format: 'razorpay', events: RAZORPAY_EVENTS, timestamped: false },
  { format: 'stripe', events: SENT_EVENTS, timestamped: true },
] as const;

/** An endpoint of the format at `url` (Razorpay's with a secret of its own, as a merchant brings it). */
async function endpoint(format: string, url: string): Promise<{ id: string; secret: string }> {
  const res = await t.api.post('/webhook-endpoints', { url, events: ['*'], format, ...(format === 'razorpay' ? { secret: 'rzp_webhook_secret_api' } : {}) });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe.each(FORMATS)('POST /webhook-endpoints/:id/check, $format format', ({ format, events, timestamped }) => {
  it("grades the webhook receiver, verifying with the endpoint's secret, all-pass", async () => {
    const port = await freePort();
    const ep = await endpoint(format, `http://127.0.0.1:${port}/hooks`);
    const rx = await startReceiver(ep.secret, format, port);
    stops.push(rx.stop);
    const res = await t.api.post(`/webhook-endpoints/${ep.id}/check`, {});
    expect(res.status, res.text).toBe(200);
    expect(res.body.cases.filter((c: any) => c.verdict === 'fail')).toEqual([]);
    expect(res.body).toMatchObject({ object: 'webhook_check', endpoint_id: ep.id, format, passed: true, timeout_ms: 2000, url: `http://127.0.0.1:${port}/hooks` });
    expect(res.body.cases.filter((c: any) => c.case === 'valid').map((c: any) => c.event).sort()).toEqual([...events].sort());
    expect(res.body.cases.filter((c: any) => c.expected === '4xx' && c.verdict === 'pass').map((c: any) => c.case)).toEqual(FORGERY_CASES(timestamped));
    expect(res.body.summary.not_applicable).toBe(timestamped ? 0 : 1);
    expect(rx.output().match(/-> 400/g)?.length).toBe(FORGERY_CASES(timestamped).length);
  });

  it('fails the naive handler on exactly the forgeries, with the reason', async () => {
    const ep = await endpoint(format, naive.url);
    const res = await t.api.post(`/webhook-endpoints/${ep.id}/check`, { timeout_ms: 5000 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ passed: false, timeout_ms: 5000 });
    const failed = res.body.cases.filter((c: any) => c.verdict === 'fail');
    expect(failed.map((c: any) => c.case)).toEqual(FORGERY_CASES(timestamped));
    for (const c of failed) expect(c).toMatchObject({ expected: '4xx', answer: { status_code: 200 }, why: expect.stringMatching(/^your handler accepts forged events: /) });
    expect(res.body.summary.fail).toBe(failed.length);
  });
});

describe('the check route', () => {
  it("reports a handler slower than the timeout on every case; another tenant's endpoint is a 404; a bad timeout a 400", async () => {
    const silent = await startSilentHandler();
    stops.push(silent.stop);
    const ep = await endpoint('razorpay', silent.url);
    const res = await t.api.post(`/webhook-endpoints/${ep.id}/check`, { timeout_ms: 150 });
    expect(res.status, res.text).toBe(200);
    const applicable = res.body.cases.filter((c: any) => c.verdict !== 'not_applicable');
    expect(applicable).toHaveLength(RAZORPAY_EVENTS.length + 7);
    for (const c of applicable) {
      expect(c).toMatchObject({ verdict: 'fail', answer: { status_code: null, error: 'timeout' } });
      expect(c.why).toMatch(/^no answer within the 150 ms delivery timeout: Sandpay would retry it/);
    }

    const other = await registerTenant(sys.url, 'Other Shop');
    expectError(await other.api.post(`/webhook-endpoints/${ep.id}/check`, {}), 404);
    expectError(await t.api.post(`/webhook-endpoints/${ep.id}/check`, { timeout_ms: 5 }), 400, { param: 'timeout_ms' });
    expectError(await t.api.post(`/webhook-endpoints/${ep.id}/check`, { timeout: 500 }), 400);
  });
});

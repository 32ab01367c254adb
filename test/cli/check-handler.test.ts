import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/events/events.ts';
import { RAZORPAY_EVENTS } from '../../src/faces/razorpay/events.ts';
import { SENT_EVENTS } from '../../src/faces/stripe/events.ts';
import { generateWebhookSecret } from '../../src/tenants/keys.ts';
import { runCli } from '../support/cli.ts';
import { FORGERY_CASES, startNaiveHandler, startReceiver, startSilentHandler, type RunningHandler } from '../support/handlers.ts';

/**
 * `sandpay check-handler` runs the suite from the developer's machine (no Sandpay, no API key):
 * the project's webhook receiver passes every case in each format, the naive example fails
 * exactly the forgeries, a handler that never answers fails on the timeout.
 */

const FORMATS = [
  { format: 'native', receiver: 'sandpay', events: EVENT_TYPES, timestamped: true, secret: generateWebhookSecret() },
  { format: 'razorpay', receiver: 'razorpay', events: RAZORPAY_EVENTS, timestamped: false, secret: 'rzp_webhook_secret_check' },
  { format: 'stripe', receiver: 'stripe', events: SENT_EVENTS, timestamped: true, secret: generateWebhookSecret() },
] as const;

let naive: RunningHandler;
const stops: Array<() => Promise<void>> = [];
beforeAll(async () => {
  naive = await startNaiveHandler();
  stops.push(naive.stop);
});
afterAll(async () => {
  for (const stop of stops) await stop();
});

const check = (url: string, format: string, secret: string, ...extra: string[]) =>
  runCli(['check-handler', '--forward-to', url, '--format', format, '--secret', secret, ...extra]);

describe.each(FORMATS)('sandpay check-handler --format $format', ({ format, receiver, events, timestamped, secret }) => {
  it('grades `npm run webhook-receiver` all-pass: every event of the format, duplicates, out of order, unknown types, forgeries refused', async () => {
    const rx = await startReceiver(secret, receiver);
    stops.push(rx.stop);
    const run = await check(rx.url, format, secret, '--json', '--timeout', '5000');
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    expect(report.cases.filter((c: any) => c.verdict === 'fail')).toEqual([]);
    expect(run.code).toBe(0);
    expect(report).toMatchObject({ object: 'webhook_check', passed: true, url: rx.url, timeout_ms: 5000 });
    expect(report.cases.filter((c: any) => c.case === 'valid').map((c: any) => c.event).sort()).toEqual([...events].sort());
    const forged = report.cases.filter((c: any) => c.expected === '4xx' && c.verdict === 'pass');
    expect(forged.map((c: any) => c.case)).toEqual(FORGERY_CASES(timestamped));
    expect(forged.every((c: any) => c.answer.status_code === 400)).toBe(true);
    const na = report.cases.filter((c: any) => c.verdict === 'not_applicable').map((c: any) => c.case);
    expect(na).toEqual(timestamped ? [] : ['stale_timestamp']);
    // The receiver saw the forgeries and refused them itself.
    expect(rx.output().match(/-> 400/g)?.length).toBe(FORGERY_CASES(timestamped).length);
  });

  it('fails the naive example on exactly the forgeries, each "your handler accepts forged events"', async () => {
    const run = await check(naive.url, format, secret, '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.passed).toBe(false);
    const failed = report.cases.filter((c: any) => c.verdict === 'fail');
    expect(failed.map((c: any) => c.case)).toEqual(FORGERY_CASES(timestamped));
    for (const c of failed) {
      expect(c.answer.status_code).toBe(200);
      expect(c.why).toMatch(/^your handler accepts forged events: it answered 200 to /);
    }
    expect(report.summary).toEqual({ pass: report.cases.length - failed.length - (timestamped ? 0 : 1), fail: failed.length, not_applicable: timestamped ? 0 : 1 });
  });
});

describe('sandpay check-handler output and input', () => {
  it('prints a table (case, sent, answer, verdict, why) and a summary, and exits 1 when a case fails', async () => {
    const secret = generateWebhookSecret();
    const run = await check(naive.url, 'native', secret);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CASE\s+SENT\s+ANSWER\s+VERDICT\s+WHY$/);
    expect(lines.filter((l) => /^valid\s/.test(l))).toHaveLength(EVENT_TYPES.length);
    expect(run.stdout).toMatch(/^forged_signature\s+payment\.created, with a made-up signature\s+200 in \d+ ms\s+FAIL\s+your handler accepts forged events/m);
    expect(run.stdout).toMatch(/^stale_timestamp\s+payment\.created, signed 360 s ago \(tolerance 300 s\)\s+200 in \d+ ms\s+FAIL\s+your handler accepts forged events/m);
    expect(lines.at(-1)).toBe(`FAILED: ${EVENT_TYPES.length + 3} passed, 5 failed (sandpay format, ${naive.url}, timeout 10000 ms)`);
    expect(run.stdout).not.toContain(secret);
  });

  it('reports a handler slower than the timeout on every case, as Sandpay would retry it', async () => {
    const silent = await startSilentHandler();
    stops.push(silent.stop);
    const run = await check(silent.url, 'razorpay', 'rzp_webhook_secret_check', '--json', '--timeout', '150');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const applicable = report.cases.filter((c: any) => c.verdict !== 'not_applicable');
    expect(applicable.length).toBe(RAZORPAY_EVENTS.length + 7);
    for (const c of applicable) {
      expect(c).toMatchObject({ verdict: 'fail', answer: { status_code: null, error: 'timeout' } });
      expect(c.why).toBe('no answer within the 150 ms delivery timeout: Sandpay would retry it (answer first, work later)');
    }
  });

  it('refuses a bad URL, timeout, empty secret or format with one line and exit 2', async () => {
    const url = naive.url;
    const badUrl = await check('localhost:4000', 'native', 'whsec_x');
    expect([badUrl.code, badUrl.stderr.trim()]).toEqual([2, 'sandpay: Invalid --forward-to "localhost:4000": expected a URL such as http://localhost:4000/hooks']);
    const badTimeout = await check(url, 'native', 'whsec_x', '--timeout', 'soon');
    expect([badTimeout.code, badTimeout.stderr.trim()]).toEqual([2, 'sandpay: Invalid --timeout "soon": milliseconds, 1 to 60000']);
    const emptySecret = await check(url, 'native', ' ');
    expect([emptySecret.code, emptySecret.stderr.trim()]).toEqual([2, 'sandpay: --secret is empty: pass the secret your handler verifies with']);
    const badFormat = await check(url, 'paypal', 'whsec_x');
    expect(badFormat.code).not.toBe(0);
    expect(badFormat.stderr).toMatch(/argument 'paypal' is invalid\. Allowed choices are native, sandpay, stripe, razorpay/);
  });
});

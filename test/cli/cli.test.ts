import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { EVENT_TYPES } from '../../src/events/events.ts';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { CliProcess, runCli, VerifyingReceiver } from '../support/cli.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { Receiver } from '../support/receiver.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;
let env: Record<string, string>;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  // Refunds stay pending until simulated, so `trigger refund.failed` never races the job.
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '600000' });
  t = await registerTenant(sys.url);
  env = { SANDPAY_URL: sys.url, SANDPAY_API_KEY: t.sk };
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await sys?.stop();
});

describe('sandpay listen', () => {
  it('forwards events as they commit, signed with the session secret in both schemes, one line each', async () => {
    const rx = await new VerifyingReceiver().start();
    cleanups.push(() => rx.stop());
    const cli = new CliProcess(['listen', '--forward-to', rx.url, '--events', 'payment.*'], env);
    cleanups.push(() => cli.kill());
    const [, secret] = await cli.waitFor(/Ready! Your webhook signing secret is (whsec_\S+)/);
    rx.secret = secret!;

    const ok = await createPayment(t.api);
    await t.api.post(`/payments/${ok.id}/refunds`, { amount: 100 }); // refund.created: filtered out
    const declined = await createPayment(t.api, cardBody(CARDS.declined));
    const got = await rx.waitForCount(4);
    expect(got.map((r) => r.type)).toEqual(['payment.created', 'payment.success', 'payment.created', 'payment.failed']);
    expect(got.every((r) => r.standardOk && r.simpleOk)).toBe(true);
    const events = (await t.api.get('/events?limit=10')).body.data.filter((e: { type: string }) => e.type.startsWith('payment.'));
    expect(got.map((r) => r.id)).toEqual(events.map((e: { id: string }) => e.id).reverse());
    expect(got[3]!.headers['webhook-id']).toBe(got[3]!.id);
    expect(got[3]!.headers['x-sandpay-event']).toBe('payment.failed');

    await cli.waitFor(new RegExp(`payment\\.failed\\s+${got[3]!.id}\\s+-> 200\\s+\\d+ ms`));
    expect(declined.status).toBe('failed');
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(rx.received).toHaveLength(4);
  });

  it('exits with one clear line on a wrong key, an unreachable server, a bad URL or an unknown format', async () => {
    const rx = 'http://127.0.0.1:9/hooks';
    const wrongKey = await runCli(['listen', '--forward-to', rx], { ...env, SANDPAY_API_KEY: 'sk_test_wrongwrongwrong' });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrongKey.stderr).toMatch(/rejected the API key \(invalid_api_key\)/);

    const down = await runCli(['payments', 'list', '--url', `http://127.0.0.1:${await freePort()}`], env);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^sandpay: Cannot reach Sandpay at http:\/\/127\.0\.0\.1:\d+: connection refused/);

    const badUrl = await runCli(['trigger', 'payment.failed', '--url', 'localhost:3000'], env);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/Invalid Sandpay URL "localhost:3000"/);

    const notSandpay = await runCli(['payments', 'list', '--url', `${sys.url}/nothing-here/`], env);
    expect(notSandpay.stderr.trim().split('\n')).toHaveLength(1);

    const unknownFormat = await runCli(['listen', '--forward-to', rx, '--format', 'paypal'], env);
    expect(unknownFormat.code).not.toBe(0);
    expect(unknownFormat.stderr).toMatch(/'paypal' is invalid\. Allowed choices are sandpay, stripe, razorpay/);

    const noKey = await runCli(['payments', 'list'], { SANDPAY_URL: sys.url });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/No API key/);

    const publishable = await runCli(['payments', 'list'], { SANDPAY_URL: sys.url, SANDPAY_API_KEY: t.pk });
    expect(publishable.code).toBe(2);
    expect(publishable.stderr).toMatch(/publishable key \(pk_…\): the CLI needs your secret key/);

  });
});

describe('sandpay listen --format razorpay', () => {
  it("forwards Razorpay's event bodies, signed so Razorpay.validateWebhookSignature accepts them", async () => {
    const rx = await new Receiver().start();
    cleanups.push(() => rx.stop());
    const cli = new CliProcess(['listen', '--forward-to', rx.url, '--format', 'razorpay'], env);
    cleanups.push(() => cli.kill());
    const [, secret] = await cli.waitFor(/Ready! Your webhook signing secret is (whsec_\S+)/);

    const paid = await createPayment(t.api);
    await t.api.post(`/payments/${paid.id}/refunds`, { amount: 100 });
    const got = (await eventually(async () => rx.received, (r) => r.length >= 3)).slice(0, 3);
    const bodies = got.map((r) => JSON.parse(r.rawBody));
    // payment.created has no Razorpay counterpart; a payment captured at once is payment.authorized, then payment.captured,
    // as Razorpay sends them; the refund carries its payment.
    expect(bodies.map((b) => b.event)).toEqual(['payment.authorized', 'payment.captured', 'refund.created']);
    expect(bodies[0]).toMatchObject({ entity: 'event', contains: ['payment'], payload: { payment: { entity: { id: paid.id, status: 'authorized' } } } });
    expect(bodies[1]).toMatchObject({ entity: 'event', contains: ['payment'], payload: { payment: { entity: { id: paid.id, status: 'captured' } } } });
    expect(bodies[2].payload.payment.entity.id).toBe(paid.id);
    for (const r of got) {
      expect(Razorpay.validateWebhookSignature(r.rawBody, String(r.headers['x-razorpay-signature']), secret!)).toBe(true);
      expect(Razorpay.validateWebhookSignature(r.rawBody.replace(/"amount":(\d+)/, '"amount":1$1'), String(r.headers['x-razorpay-signature']), secret!)).toBe(false);
    }
    await cli.waitFor(/payment\.created\s+\S+\s+-- skipped \(no Razorpay event\)/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });
});

describe('sandpay logs tail', () => {
  it('prints requests as the request log records them, and exits on Ctrl-C', async () => {
    const tenant = await registerTenant(sys.url);
    const cli = new CliProcess(['logs', 'tail', '--path', '/api/v1/payments'], { SANDPAY_URL: sys.url, SANDPAY_API_KEY: tenant.sk });
    cleanups.push(() => cli.kill());
    await cli.waitFor(/Tailing the request log/);
    const p = await createPayment(tenant.api);
    await tenant.api.get(`/payments/${p.id}`);
    await tenant.api.get('/orders'); // filtered out by --path
    await cli.waitFor(new RegExp(`200  GET    /api/v1/payments/${p.id}  \\d+ ms  req_`));
    expect(cli.stdout).toMatch(/201  POST   \/api\/v1\/payments  \d+ ms  req_\w+\n/);
    expect(cli.stdout).not.toMatch(/\/orders/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });
});

describe('sandpay trigger', () => {
  it('produces each listed event type and prints the ids', async () => {
    const list = await runCli(['trigger', '--list']);
    expect(list.code).toBe(0);
    const types = list.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]!);
    expect(types.filter((x) => !(EVENT_TYPES as readonly string[]).includes(x))).toEqual([]);
    // Every event type but the audit checkpoint (the operator's signing job makes those) and the
    // clock's (`sandpay clock advance` makes it, tested below).
    expect(EVENT_TYPES.filter((x) => !types.includes(x))).toEqual(['audit.checkpoint', 'test_clock.ready']);

    const tenant = await registerTenant(sys.url);
    const tenv = { SANDPAY_URL: sys.url, SANDPAY_API_KEY: tenant.sk };
    for (const type of types) {
      const res = await runCli(['trigger', type], tenv);
      expect(res.code, `${type}: ${res.stderr}`).toBe(0);
      const ids = [...res.stdout.matchAll(/\b((?:pay|rfnd|order)_[0-9A-Za-z]{14}|cs_[0-9A-Za-z]{20})\b/g)].map((m) => m[1]);
      expect(ids.length, res.stdout).toBeGreaterThan(0);
      const events = (await tenant.api.get(`/events?type=${type}&limit=100`)).body.data;
      expect(events.some((e: { data: { object: { id: string } } }) => ids.includes(e.data.object.id)), `${type}: ${res.stdout}`).toBe(true);
    }
    const unknown = await runCli(['trigger', 'payment.nope'], tenv);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown event type "payment\.nope"/);
  }, 180_000);
});

describe('sandpay events resend, payments', () => {
  it('resend delivers the event again with the same webhook-id; payments list and get show payments', async () => {
    const rx = await new Receiver().start();
    cleanups.push(() => rx.stop());
    const tenant = await registerTenant(sys.url);
    const tenv = { SANDPAY_URL: sys.url, SANDPAY_API_KEY: tenant.sk };
    const ep = (await tenant.api.post('/webhook-endpoints', { url: `${rx.url}/hooks`, events: ['payment.success'] })).body;
    const p = await createPayment(tenant.api);
    const [first] = await eventually(async () => rx.ofType('payment.success'), (r) => r.length === 1);

    const res = await runCli(['events', 'resend', first!.body.id, '--endpoint', ep.id], tenv);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`Resending ${first!.body.id} \\(payment\\.success\\) as 1 new delivery:\\n  whd_\\w+  -> ${rx.url}/hooks`));
    const both = await eventually(async () => rx.ofType('payment.success'), (r) => r.length === 2);
    expect(both[1]!.headers['webhook-id']).toBe(first!.body.id);
    expect(both[1]!.rawBody).toBe(first!.rawBody);

    const missing = await runCli(['events', 'resend', 'evt_00000000000000000000'], tenv);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404 resource_missing/);

    const list = await runCli(['payments', 'list'], tenv);
    expect(list.stdout).toMatch(new RegExp(`^${p.id}  success\\s+5000 INR  card`, 'm'));
    const get = await runCli(['payments', 'get', p.id], tenv);
    expect(JSON.parse(get.stdout)).toMatchObject({ id: p.id, status: 'success' });
  });

  it('payments list suggests the next page with the same filters, and that command shows the rest', async () => {
    const tenant = await registerTenant(sys.url);
    const tenv = { SANDPAY_URL: sys.url, SANDPAY_API_KEY: tenant.sk };
    const ok: string[] = [];
    for (let i = 0; i < 3; i++) {
      ok.push((await createPayment(tenant.api)).id);
      await createPayment(tenant.api, cardBody(CARDS.declined)); // between them, and filtered out
    }
    const newestFirst = [...ok].reverse();
    const listed = (out: string) => [...out.matchAll(/^(pay_\w+)  (\w+)/gm)].map((m) => [m[1], m[2]]);

    const first = await runCli(['payments', 'list', '--status', 'success', '--limit', '2'], tenv);
    expect(first.code, first.stderr).toBe(0);
    expect(listed(first.stdout)).toEqual(newestFirst.slice(0, 2).map((id) => [id, 'success']));
    const more = /^… more: sandpay (.+)$/m.exec(first.stdout);
    expect(more, first.stdout).not.toBeNull();
    const args = more![1]!.split(' ');
    expect(args).toEqual(['payments', 'list', '--status', 'success', '--limit', '2', '--starting-after', newestFirst[1]]);

    const second = await runCli(args, tenv);
    expect(second.code, second.stderr).toBe(0);
    expect(listed(second.stdout)).toEqual([[newestFirst[2], 'success']]);
    expect(second.stdout).not.toMatch(/more:/);

    // --url given on the command line is repeated (SANDPAY_URL is not; the key never is).
    const withUrl = await runCli(['--url', sys.url, 'payments', 'list', '--status', 'success', '--limit', '1'], { SANDPAY_API_KEY: tenant.sk });
    expect(withUrl.stdout).toContain(`… more: sandpay --url ${sys.url} payments list --status success --limit 1 --starting-after ${newestFirst[0]}\n`);
    expect(withUrl.stdout).not.toContain(tenant.sk);

    const bad = await runCli(['payments', 'list', '--starting-after', 'nope'], tenv);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"nope" is not a payment id/);
  });
});

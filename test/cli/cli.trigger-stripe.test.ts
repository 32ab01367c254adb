import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant } from '../support/client.ts';
import { runCli } from '../support/cli.ts';
import { stripeSdk } from '../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/** `sandpay trigger checkout.session.* --format stripe`: a real Stripe Checkout Session, and its Stripe event. */
let sys: TestSystem;

beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.stop();
});

describe('sandpay trigger --format stripe, Checkout Sessions', () => {
  it('checkout.session.completed pays a Checkout Session on its page; checkout.session.expired expires one; each is in stripe.events.list', async () => {
    const tenant = await registerTenant(sys.url);
    const env = { SANDPAY_URL: sys.url, SANDPAY_API_KEY: tenant.sk };
    const stripe = stripeSdk(sys.url, tenant.sk);
    const list = await runCli(['trigger', '--list', '--format', 'stripe']);
    expect(list.stdout).toMatch(/^checkout\.session\.completed\s+a Stripe Checkout Session/m);

    for (const [type, status] of [['checkout.session.completed', 'complete'], ['checkout.session.expired', 'expired']] as const) {
      const res = await runCli(['trigger', type, '--format', 'stripe'], env);
      expect(res.code, res.stderr).toBe(0);
      const id = /\b(cs_test_[0-9A-Za-z]{20})\s+(\w+)/.exec(res.stdout);
      expect(id?.[2], res.stdout).toBe(status);
      expect((await stripe.checkout.sessions.retrieve(id![1]!)).status).toBe(status);
      const events = await stripe.events.list({ type });
      expect(events.data.map((e) => (e.data.object as { id: string }).id)).toContain(id![1]);
    }
  }, 60_000);
});

import type { FrameLocator, Page } from 'playwright-core';
import { validatePaymentVerification } from 'razorpay/dist/utils/razorpay-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../../../examples/razorpay/server.ts';
import { useBrowser, WAIT_MS } from '../../support/browser.ts';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { CARDS, eventually } from '../../support/payments.ts';
import { razorpayKeys, type RazorpayKeys } from '../../support/razorpay.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * The "done when" of issue 13: examples/razorpay, a shop written only against the official SDK
 * and Razorpay's checkout options, runs its whole flow on Sandpay with only the API host and the
 * checkout script URL changed: order, checkout in a real browser, signature verification,
 * capture, refund, webhook verification.
 */
const browser = useBrowser();
let sys: TestSystem;
let t: TestTenant;
let keys: RazorpayKeys;
let shop: Shop;
const WEBHOOK_SECRET = 'shop-webhook-secret';

beforeAll(async () => {
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '100' });
  t = await registerTenant(sys.url);
  keys = await razorpayKeys(t);
  shop = await startShop({
    keyId: keys.key_id, keySecret: keys.key_secret, webhookSecret: WEBHOOK_SECRET, port: 0,
    apiUrl: sys.url, checkoutUrl: `${sys.url}/checkout.js`,
  });
  const ep = await t.api.post('/webhook-endpoints', { url: `${shop.url}/webhooks/razorpay`, events: ['*'], format: 'razorpay', secret: WEBHOOK_SECRET });
  expect(ep.status, ep.text).toBe(201);
}, 60_000);
afterAll(async () => {
  await shop?.stop();
  await sys?.stop();
});

const js = <T = unknown>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;
const expiry = `12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

async function checkout(number: string): Promise<{ page: Page; frame: FrameLocator }> {
  const page = await browser.newPage();
  await page.goto(shop.url);
  await page.getByRole('button', { name: 'Pay with Razorpay' }).click();
  const frame = page.frameLocator('iframe[title="Sandpay checkout"]');
  await frame.getByLabel('Card number').fill(number);
  await frame.getByLabel('Expiry').fill(expiry);
  await frame.getByLabel('CVC').fill('123');
  await frame.getByRole('button', { name: /^Pay / }).click();
  return { page, frame };
}

describe('an unchanged Razorpay shop (examples/razorpay) on Sandpay', () => {
  it('order, checkout, signature, capture, refund and verified webhooks', async () => {
    const { page } = await checkout(CARDS.visa);
    await page.waitForFunction('window.shop.verification !== undefined', undefined, { timeout: WAIT_MS });
    const shopPage = await js<any>(page, 'window.shop');
    expect(shopPage.verification).toEqual({ verified: true, status: 'captured' });
    const result = shopPage.results[0];
    expect(Object.keys(result).sort()).toEqual(['razorpay_order_id', 'razorpay_payment_id', 'razorpay_signature']);
    expect(validatePaymentVerification({ order_id: result.razorpay_order_id, payment_id: result.razorpay_payment_id }, result.razorpay_signature, keys.key_secret)).toBe(true);
    expect(validatePaymentVerification({ order_id: result.razorpay_order_id, payment_id: 'pay_forged0000000000000' }, result.razorpay_signature, keys.key_secret)).toBe(false);
    expect(validatePaymentVerification({ order_id: result.razorpay_order_id, payment_id: result.razorpay_payment_id }, result.razorpay_signature, t.whsec)).toBe(false);

    // The same payment, natively: captured by the shop's server through /v1.
    const native = await t.api.get(`/payments/${result.razorpay_payment_id}`);
    expect(native.body).toMatchObject({ status: 'success', capture_method: 'manual', order_id: result.razorpay_order_id });

    const refund = await fetch(`${shop.url}/api/refunds`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payment_id: result.razorpay_payment_id, amount: 10000 }),
    });
    expect(refund.status).toBe(200);
    expect(await refund.json()).toMatchObject({ entity: 'refund', amount: 10000, payment_id: result.razorpay_payment_id });

    const wanted = ['payment.authorized', 'payment.captured', 'order.paid', 'refund.created', 'refund.processed'];
    await eventually(async () => shop.state.webhooks.map((w) => w.event), (evs) => wanted.every((e) => evs.includes(e)));
    expect(shop.state.webhooks.every((w) => w.verified && /^evt_/.test(w.event_id ?? ''))).toBe(true);
  });

  it('a declined card fires payment.failed with Razorpay error object; theme.color reaches the page', async () => {
    const { page, frame } = await checkout(CARDS.declined);
    expect(page.frames().some((f) => /#theme=%233399cc$/.test(f.url()))).toBe(true);
    await page.waitForFunction('window.shop.failures.length > 0', undefined, { timeout: WAIT_MS });
    const failure = (await js<any>(page, 'window.shop.failures'))[0];
    expect(failure.error).toMatchObject({
      code: 'BAD_REQUEST_ERROR', source: 'bank', step: 'payment_authorization', reason: 'card_declined', description: expect.any(String),
      metadata: { order_id: expect.stringMatching(/^order_/), payment_id: expect.stringMatching(/^pay_/) },
    });
    await frame.getByRole('heading').first().waitFor();
    const inFrame = page.frames().find((f) => /\/checkout\/cs_/.test(f.url()))!;
    const brand = await inFrame.evaluate('getComputedStyle(document.documentElement).getPropertyValue("--brand").trim()');
    expect(brand).toBe('#3399cc');
    expect(await js(page, 'typeof window.Razorpay === "function" && window.Razorpay === window.Sandpay')).toBe(true);
  });
});

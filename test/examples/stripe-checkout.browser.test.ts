import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../../examples/stripe/server.ts';
import { useBrowser } from '../support/browser.ts';
import { registerTenant } from '../support/client.ts';
import { eventually } from '../support/payments.ts';
import { stripeSdk } from '../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * examples/stripe's Checkout Session redirect flow in real Chromium (web security on): the shop's
 * page on http://localhost:PORT posts to its server, which creates a session with stripe-node and
 * redirects to its url on Sandpay (http://127.0.0.1:PORT, another origin); the customer pays there
 * and comes back to the shop's success page, which shows the session as the SDK retrieves it.
 */
const browser = useBrowser();
let sys: TestSystem;
let shop: Shop;
let shopUrl: string;

beforeAll(async () => {
  sys = await startTestSystem();
  const t = await registerTenant(sys.url, 'Stripe Shop');
  const stripe = stripeSdk(sys.url, t.sk);
  const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/placeholder', enabled_events: ['checkout.session.completed'] });
  shop = await startShop({ secretKey: t.sk, webhookSecret: endpoint.secret!, apiUrl: sys.url, port: 0 });
  await stripe.webhookEndpoints.update(endpoint.id, { url: `${shop.url}/webhooks/stripe` });
  // The same server under another name: the browser's shop is another origin than Sandpay's.
  shopUrl = shop.url.replace('127.0.0.1', 'localhost');
}, 60_000);
afterAll(async () => {
  await shop?.stop();
  await sys?.stop();
});

const expiry = `12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

async function seriousViolations(page: Page): Promise<string[]> {
  const axe = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axe);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.map((n) => n.target).join(', ')))`) as Promise<string[]>;
}

describe('examples/stripe: the Checkout Session redirect flow', () => {
  it('shop → Sandpay\'s hosted page → pay → back on the shop\'s success page, which shows the session paid; the webhook verifies', async () => {
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/checkout`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Checkout' }).click();

    await page.waitForURL((u) => u.origin === sys.url && u.pathname.startsWith('/stripe/checkout/cs_test_'));
    const sessionId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(await page.getByRole('list', { name: 'Order summary' }).textContent()).toMatch(/Sandpay T-shirt\s*× 2\s*\$40\.00/);
    await page.getByLabel('Card number').fill('4242424242424242');
    await page.getByLabel('Expiry').fill(expiry);
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: 'Pay $40.00' }).click();

    await page.waitForURL((u) => u.origin === shopUrl && u.pathname === '/checkout/success');
    expect(new URL(page.url()).searchParams.get('session_id')).toBe(sessionId);
    await page.getByRole('heading', { name: 'Thank you for your order' }).waitFor();
    expect(await page.textContent('#session-id')).toBe(sessionId);
    expect(await page.textContent('#session-status')).toBe('complete');
    expect(await page.textContent('#payment-status')).toBe('paid');
    expect(await page.textContent('#amount-total')).toBe('$40.00');
    expect(await seriousViolations(page)).toEqual([]);

    const seen = await eventually(async () => shop.state.webhooks, (w) => w.some((e) => e.type === 'checkout.session.completed' && e.object_id === sessionId));
    expect(seen.filter((e) => e.object_id === sessionId).every((e) => e.verified)).toBe(true);
  });

  it('Cancel on the hosted page goes back to the shop\'s product page', async () => {
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/checkout`);
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((u) => u.origin === sys.url);
    await page.getByRole('link', { name: 'Cancel and return to Stripe Shop' }).click();
    await page.waitForURL(`${shopUrl}/checkout`);
    await page.getByRole('heading', { name: 'Sandpay T-shirt' }).waitFor();
  });
});

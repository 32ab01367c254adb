import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../../examples/stripe/server.ts';
import { useBrowser } from '../support/browser.ts';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { stripeSdk } from '../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * examples/stripe's Elements page in real Chromium (web security on): the shop's page on
 * http://localhost:PORT loads Stripe.js from Sandpay (http://127.0.0.1:PORT, another origin),
 * mounts a card Element and pays with a 3-D Secure card through confirmCardPayment.
 */
const browser = useBrowser();
let sys: TestSystem;
let t: TestTenant;
let shop: Shop;
let pageUrl: string;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url, 'Stripe Elements Shop');
  shop = await startShop({ secretKey: t.sk, webhookSecret: 'whsec_unused', apiUrl: sys.url, publishableKey: t.pk, port: 0 });
  pageUrl = `${shop.url.replace('127.0.0.1', 'localhost')}/elements`;
  await t.api.patch('/auth/settings', { checkout: { allowed_origins: [new URL(pageUrl).origin] } });
}, 60_000);
afterAll(async () => {
  await shop?.stop();
  await sys?.stop();
});

async function pay(p: Page, number: string) {
  const card = p.frameLocator('iframe[title="Secure card payment input frame"]');
  await card.getByLabel('Card number').fill(number);
  await card.getByLabel('Expiry').fill(`12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`);
  await card.getByLabel('CVC').fill('123');
  await p.getByRole('button', { name: 'Pay $20.00' }).click();
}

describe('examples/stripe: the Elements page on Sandpay', () => {
  it('pays with a 3-D Secure card: the challenge shows in Stripe.js\'s overlay, the page shows the succeeded intent', async () => {
    const p = await browser.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(pageUrl);
    await pay(p, '4000 0000 0000 3220');
    await p.getByRole('dialog', { name: '3-D Secure authentication' }).waitFor();
    await p.frameLocator('iframe[title="3-D Secure authentication"]').getByRole('button', { name: 'Complete authentication' }).click();
    const status = p.getByRole('status');
    await status.filter({ hasText: /^Payment succeeded: pi_/ }).waitFor();
    const id = (await status.textContent())!.split(': ')[1]!;
    const pi = await stripeSdk(sys.url, t.sk).paymentIntents.retrieve(id);
    expect(pi).toMatchObject({ status: 'succeeded', amount: 2000, currency: 'usd', metadata: { flow: 'elements' } });
    expect(errors).toEqual([]);
  });

  it('shows a decline from Stripe.js\'s error object', async () => {
    const p = await browser.newPage();
    await p.goto(pageUrl);
    await pay(p, '4000 0000 0000 9995');
    await p.locator('#card-errors').filter({ hasText: /insufficient funds/i }).waitFor();
    expect(await p.getByRole('status').textContent()).toBe('');
  });
});

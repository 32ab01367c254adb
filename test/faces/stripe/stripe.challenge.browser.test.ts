import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from '../../support/browser.ts';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * The challenge page in real Chromium (web security on): keyboard only from next_action's URL to
 * the merchant's return_url, on another origin (a tiny page on 127.0.0.1 here).
 */
const browser = useBrowser();
let sys: TestSystem;
let t: TestTenant;
let shop: Server;
let shopUrl: string;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url, 'Keyboard Shop');
  shop = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Back at the shop</title><h1>Back at the shop</h1>'));
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => shop?.close(resolve));
  await sys?.stop();
});

/** The page's console errors and every request it makes that is not a navigation. */
function watch(page: Page) {
  const errors: string[] = [];
  const loads: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.isNavigationRequest()) loads.push(r.url());
  });
  return { errors, loads };
}

const focused = (page: Page) => page.evaluate('document.activeElement && document.activeElement.textContent') as Promise<string | null>;

describe('the 3-D Secure challenge page in a browser', () => {
  it('keyboard only: Tab to "Complete authentication", Enter, and land on return_url with redirect_status=succeeded', async () => {
    const stripe = stripeSdk(sys.url, t.sk);
    const pi = await stripe.paymentIntents.create({
      amount: 1999, currency: 'eur', payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: `${shopUrl}/done?cart=9`,
    });
    const page = await browser.newPage();
    const seen = watch(page);
    await page.goto(pi.next_action!.redirect_to_url!.url!);
    await page.getByRole('heading', { name: '3-D Secure authentication' }).waitFor();
    expect(await page.textContent('main')).toMatch(/Keyboard Shop[\s\S]*€19\.99[\s\S]*visa card ending in 3220/i);

    let tabs = 0;
    while ((await focused(page)) !== 'Complete authentication' && tabs++ < 10) await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Complete authentication');
    expect(await page.evaluate("document.activeElement.matches(':focus-visible')")).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.origin === shopUrl);

    const back = new URL(page.url());
    expect(back.pathname).toBe('/done');
    expect(Object.fromEntries(back.searchParams)).toEqual({ cart: '9', payment_intent: pi.id, payment_intent_client_secret: pi.client_secret, redirect_status: 'succeeded' });
    expect(await page.textContent('h1')).toBe('Back at the shop');
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
    expect(seen.errors).toEqual([]);
    // Only Sandpay's own stylesheet: nothing from another origin.
    expect(seen.loads.length).toBeGreaterThan(0);
    for (const u of seen.loads) expect(new URL(u).origin).toBe(new URL(sys.url).origin);
  });
});

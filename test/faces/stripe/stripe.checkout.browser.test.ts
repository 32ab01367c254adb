import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from '../../support/browser.ts';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { CARDS } from '../../support/payments.ts';
import { stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * A Checkout Session's hosted page in real Chromium (web security on): the payer arrives from the
 * session's url, pays with a test card (3-D Secure where the card asks), and lands on the
 * merchant's success_url, on another origin (a tiny shop on localhost; Sandpay is on 127.0.0.1),
 * with {CHECKOUT_SESSION_ID} filled in; or goes back by cancel_url.
 */
const browser = useBrowser();
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;
let shop: Server;
let shopUrl: string;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url, 'Stripe Checkout Shop');
  stripe = stripeSdk(sys.url, t.sk);
  shop = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Back at the shop</title><h1>Back at the shop</h1>'));
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://localhost:${(shop.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => shop?.close(resolve));
  await sys?.stop();
});

const expiry = `12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

async function newSession(): Promise<Stripe.Checkout.Session> {
  const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1250, product_data: { name: 'Sandpay hoodie' } });
  return stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price: price.id, quantity: 2 }, { price_data: { currency: 'usd', unit_amount: 300, product_data: { name: 'Sticker pack' } }, quantity: 1 }],
    success_url: `${shopUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${shopUrl}/cart?from=checkout`,
  });
}

/** Opens the session's page and waits for its form. */
async function open(s: Stripe.Checkout.Session): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(s.url!);
  await page.getByLabel('Card number').waitFor();
  // Nothing the page does breaks its own CSP, or anything else.
  expect(errors).toEqual([]);
  return page;
}

async function fillCard(page: Page, number: string): Promise<void> {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry').fill(expiry);
  await page.getByLabel('CVC').fill('123');
}

const pay = (page: Page) => page.getByRole('button', { name: /^Pay / }).click();

/** Waits for the browser to land on the shop, and answers where. */
async function landed(page: Page): Promise<URL> {
  await page.waitForURL((u) => u.origin === shopUrl);
  await page.getByRole('heading', { name: 'Back at the shop' }).waitFor();
  return new URL(page.url());
}

async function seriousViolations(page: Page): Promise<string[]> {
  const axe = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // evaluate() is not subject to the page's CSP, so axe runs without weakening it.
  await page.evaluate(axe);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.map((n) => n.target).join(', ')))`) as Promise<string[]>;
}

describe("a Checkout Session's hosted page in a browser", () => {
  it('shows the lines and total, pays with a test card, and lands on success_url with the session id; the session is complete and paid', async () => {
    const s = await newSession();
    const page = await open(s);
    const summary = await page.getByRole('list', { name: 'Order summary' }).textContent();
    expect(summary).toMatch(/Sandpay hoodie\s*× 2\s*\$25\.00/);
    expect(summary).toMatch(/Sticker pack\s*\$3\.00/);
    expect(summary).toMatch(/Total\s*\$28\.00/);
    expect(await page.getByRole('button', { name: /^Pay / }).textContent()).toBe('Pay $28.00');
    // The test cards fill the form, Stripe's numbers among them.
    await page.getByRole('button', { name: /4242 4242 4242 4242/ }).click();
    expect(await page.getByLabel('Card number').inputValue()).toBe('4242 4242 4242 4242');
    await pay(page);

    const back = await landed(page);
    expect(back.pathname).toBe('/success');
    // Exactly the merchant's URL with the id filled in: nothing else added.
    expect([...back.searchParams.keys()]).toEqual(['session_id']);
    expect(back.searchParams.get('session_id')).toBe(s.id);
    const done = await stripe.checkout.sessions.retrieve(s.id, { expand: ['payment_intent'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', amount_total: 2800 });
    expect((done.payment_intent as Stripe.PaymentIntent).status).toBe('succeeded');
  });

  it('a declined card: the reason in words on the page, the session still open; then a good card pays it', async () => {
    const s = await newSession();
    const page = await open(s);
    await fillCard(page, CARDS.declined);
    await pay(page);
    await page.getByRole('heading', { name: 'Payment failed' }).waitFor();
    await page.getByText('Your card was declined. Try another card or payment method.', { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(await stripe.checkout.sessions.retrieve(s.id)).toMatchObject({ status: 'open', payment_status: 'unpaid' });

    await page.getByRole('button', { name: 'Try again' }).click();
    await fillCard(page, CARDS.visa);
    await pay(page);
    expect((await landed(page)).searchParams.get('session_id')).toBe(s.id);
    expect((await stripe.checkout.sessions.retrieve(s.id)).status).toBe('complete');
  });

  it('3-D Secure: Complete pays and redirects; Fail says so and leaves the session open', async () => {
    const s = await newSession();
    const page = await open(s);
    await fillCard(page, CARDS.delayed);
    await pay(page);
    await page.getByRole('heading', { name: '3-D Secure authentication' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Complete' }).click();
    expect((await landed(page)).searchParams.get('session_id')).toBe(s.id);
    expect(await stripe.checkout.sessions.retrieve(s.id)).toMatchObject({ status: 'complete', payment_status: 'paid' });

    const other = await newSession();
    const page2 = await open(other);
    await fillCard(page2, CARDS.delayed);
    await pay(page2);
    await page2.getByRole('button', { name: 'Fail' }).click();
    await page2.getByText('3-D Secure authentication failed. Nothing was charged; try again.', { exact: true }).waitFor();
    const after = await stripe.checkout.sessions.retrieve(other.id);
    expect(after).toMatchObject({ status: 'open', payment_status: 'unpaid' });
    expect((await stripe.paymentIntents.retrieve(after.payment_intent as string)).status).toBe('requires_payment_method');
  });

  it('Cancel goes back to cancel_url as given; the session stays open', async () => {
    const s = await newSession();
    const page = await open(s);
    await page.getByRole('link', { name: 'Cancel and return to Stripe Checkout Shop' }).click();
    const back = await landed(page);
    expect(back.toString()).toBe(`${shopUrl}/cart?from=checkout`);
    expect((await stripe.checkout.sessions.retrieve(s.id)).status).toBe('open');
  });

  it('an expired session says so in words, with the way back, and takes no card', async () => {
    const s = await newSession();
    await stripe.checkout.sessions.expire(s.id);
    const page = await browser.newPage();
    await page.goto(s.url!);
    await page.getByRole('heading', { name: 'This checkout has expired' }).waitFor();
    await page.getByText('Nothing was charged. Return to the merchant to start again.').waitFor();
    expect(await page.getByLabel('Card number').isVisible()).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    const notFound = await browser.newPage();
    const res = await notFound.goto(`${sys.url}/stripe/checkout/cs_test_${'x'.repeat(20)}`);
    expect(res?.status()).toBe(404);
    await notFound.getByRole('heading', { name: 'Checkout not found' }).waitFor();
  });

  it('has no serious accessibility violations, a strict CSP and a label for every field', async () => {
    const s = await newSession();
    const page = await browser.newPage();
    const res = await page.goto(s.url!);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:/);
    await page.getByLabel('Card number').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    for (const label of ['Card number', 'Expiry', 'CVC', 'Email (optional)']) expect(await page.getByLabel(label).isVisible(), label).toBe(true);
  });

  it('keyboard only: Tab to the card number, type the card, Enter, and land on success_url', async () => {
    const s = await newSession();
    const page = await open(s);
    const focusedId = () => page.evaluate('document.activeElement && document.activeElement.id') as Promise<string | null>;
    let tabs = 0;
    while ((await focusedId()) !== 'card-number' && tabs++ < 15) await page.keyboard.press('Tab');
    expect(await focusedId()).toBe('card-number');
    await page.keyboard.type(CARDS.visa);
    await page.keyboard.press('Tab');
    expect(await focusedId()).toBe('card-expiry');
    await page.keyboard.type(expiry.replace('/', ''));
    await page.keyboard.press('Tab');
    expect(await focusedId()).toBe('card-cvc');
    await page.keyboard.type('123');
    await page.keyboard.press('Enter');
    expect((await landed(page)).searchParams.get('session_id')).toBe(s.id);
    expect((await stripe.checkout.sessions.retrieve(s.id)).payment_status).toBe('paid');
  });
});

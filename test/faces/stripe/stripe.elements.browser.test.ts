import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowser, WAIT_MS } from '../../support/browser.ts';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * The Stripe.js stand-in in real Chromium (web security on): a merchant's page on
 * http://localhost:PORT (another origin than Sandpay's 127.0.0.1), under a strict CSP, loads
 * <sandpay>/v3/, mounts a card (or payment) Element and pays through Stripe.js's calls.
 */
const browser = useBrowser();
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;
let shop: Server;
let shopUrl: string;

const js = <T = unknown>(where: Page | Frame, expression: string) => where.evaluate(expression) as Promise<T>;

/** The merchant's page: its own script (CSP 'self') drives Stripe.js as a shop's would. */
const APP = `
const q = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const stripe = Stripe(q.get('pk'));
const mode = q.get('mode') || 'card';
const secret = q.get('cs');
const elements = stripe.elements(mode === 'card' ? {} : { clientSecret: secret });
const element = elements.create(mode === 'card' ? 'card' : 'payment');
window.shop = { results: [], changes: [], loaderrors: [], ready: false };
element.on('ready', () => { window.shop.ready = true; });
element.on('change', (e) => window.shop.changes.push(e));
element.on('loaderror', (e) => window.shop.loaderrors.push(e));
element.mount('#card-element');
window.stripe = stripe;
window.element = element;
$('pay-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('error').textContent = '';
  const r = mode === 'card'
    ? await stripe.confirmCardPayment(secret, { payment_method: { card: element, billing_details: { name: 'Jenny Rosen' } } })
    : await stripe.confirmPayment({ elements, confirmParams: { return_url: location.origin + '/done?cart=5' }, redirect: mode === 'payment-if' ? 'if_required' : 'always' });
  window.shop.results.push(r);
  if (r.error) $('error').textContent = r.error.message;
  else $('result').textContent = 'Payment ' + r.paymentIntent.status;
});
`;

function page(sandpay: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Elements shop</title>
<script src="${sandpay}/v3/"></script></head>
<body><main><h1>Elements shop</h1>
<form id="pay-form"><label for="card-element">Card</label><div id="card-element"></div><button id="pay" type="submit">Pay $20.00</button></form>
<p id="result" role="status"></p><p id="error" role="alert"></p></main>
<script src="/app.js"></script></body></html>`;
}

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url, 'Elements Shop');
  stripe = stripeSdk(sys.url, t.sk);
  shop = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    // The strict CSP a careful shop has: scripts and frames from itself and Sandpay only.
    const csp = `default-src 'self'; script-src 'self' ${sys.url}; frame-src ${sys.url}; connect-src 'self' ${sys.url}; style-src 'self'`;
    if (path === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(APP);
    if (path === '/done') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Done</title><h1>Back at the shop</h1>');
    res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end(page(sys.url));
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://localhost:${(shop.address() as AddressInfo).port}`;
  await t.api.patch('/auth/settings', { checkout: { allowed_origins: [shopUrl] } });
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => shop?.close(resolve));
  await sys?.stop();
});

const CARD_FRAME = 'iframe[title="Secure card payment input frame"]';
const CHALLENGE_FRAME = 'iframe[title="3-D Secure authentication"]';
const expiry = `12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

/** Every request the browser makes, with the frame that made it, and the page's errors. */
function watch(p: Page) {
  const requests: Array<{ url: string; frame: string; body: string }> = [];
  const errors: string[] = [];
  p.on('request', (r) => requests.push({ url: r.url(), frame: r.frame().url(), body: r.postData() ?? '' }));
  p.on('pageerror', (e) => errors.push(String(e)));
  return { requests, errors };
}

async function openShop(clientSecret: string, opts: { mode?: string; origin?: string } = {}) {
  const p = await browser.newPage();
  const seen = watch(p);
  const q = new URLSearchParams({ pk: t.pk, cs: clientSecret, mode: opts.mode ?? 'card' });
  await p.goto(`${opts.origin ?? shopUrl}/?${q}`);
  return { page: p, seen, card: p.frameLocator(CARD_FRAME) };
}

async function fill(card: FrameLocator, number: string): Promise<void> {
  await card.getByLabel('Card number').fill(number);
  await card.getByLabel('Expiry').fill(expiry);
  await card.getByLabel('CVC').fill('123');
}

const intent = (amount = 2000) => stripe.paymentIntents.create({ amount, currency: 'usd' });
const lastResult = (p: Page) => js<any>(p, 'window.shop.results.at(-1)');
/** Waits for a condition on the page: a function, not a string, as the page's CSP forbids the string's eval. */
const until = (p: Page, expression: string) =>
  p.waitForFunction(new Function(`return (${expression});`) as () => boolean, undefined, { timeout: WAIT_MS });

async function axeSerious(where: Page | Frame): Promise<string[]> {
  const axe = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // evaluate() is not subject to the page's CSP, so axe runs without weakening it.
  await where.evaluate(axe);
  return js<string[]>(where, `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.map((n) => n.target).join(', ')))`);
}

const frameOf = (p: Page, path: string) => {
  const f = p.frames().find((x) => x.url().includes(path));
  if (!f) throw new Error(`no frame at ${path}`);
  return f;
};

describe('Stripe.js from Sandpay in a browser', () => {
  it('pays with 4242 through confirmCardPayment; the card number goes only from Sandpay\'s frame to Sandpay', async () => {
    const pi = await intent();
    const { page: p, seen, card } = await openShop(pi.client_secret!);
    await fill(card, '4242 4242 4242 4242');
    await until(p, 'window.shop.changes.some((c) => c.complete && c.brand === "visa")');
    await p.getByRole('button', { name: 'Pay $20.00' }).click();
    await p.getByText('Payment succeeded').waitFor();

    const result = await lastResult(p);
    expect(result.paymentIntent).toMatchObject({ id: pi.id, object: 'payment_intent', status: 'succeeded', amount: 2000 });
    const after = await stripe.paymentIntents.retrieve(pi.id, { expand: ['payment_method'] });
    expect(after.status).toBe('succeeded');
    expect(after.payment_method).toMatchObject({ card: { last4: '4242' }, billing_details: { name: 'Jenny Rosen' } });

    const carrying = seen.requests.filter((r) => r.body.includes('4242424242424242'));
    expect(carrying).toHaveLength(1);
    expect(carrying[0]!.url).toBe(`${sys.url}/v1/payment_methods`);
    expect(new URL(carrying[0]!.frame).origin).toBe(sys.url);
    expect(await p.content()).not.toContain('4242 4242');
    expect(seen.errors).toEqual([]);
  });

  it('a decline reaches the merchant\'s page as Stripe.js\'s error object, shown in its own words', async () => {
    const pi = await intent();
    const { page: p, card } = await openShop(pi.client_secret!);
    await fill(card, '4000000000000002');
    await p.getByRole('button', { name: 'Pay $20.00' }).click();
    await p.getByRole('alert').filter({ hasText: /declined/ }).waitFor();
    const { error } = await lastResult(p);
    expect(error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', payment_intent: { id: pi.id, status: 'requires_payment_method' } });
    expect(await p.locator('#error').textContent()).toBe(error.message);

    // The payer fixes it with another card on the same intent.
    await fill(card, '4242424242424242');
    await p.getByRole('button', { name: 'Pay $20.00' }).click();
    await p.getByText('Payment succeeded').waitFor();
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('shows the card form\'s own validation before anything is sent', async () => {
    const pi = await intent();
    const { page: p, seen, card } = await openShop(pi.client_secret!);
    await until(p, 'window.shop.ready');
    await p.getByRole('button', { name: 'Pay $20.00' }).click();
    await card.getByText('Enter your card number.').waitFor();
    const { error } = await lastResult(p);
    expect(error).toMatchObject({ type: 'validation_error', code: 'incomplete_number', message: 'Enter your card number.' });
    expect(seen.requests.filter((r) => r.url.includes('/v1/'))).toEqual([]);
  });

  it('3-D Secure in the overlay: Complete resolves with the succeeded intent; Fail with payment_intent_authentication_failure', async () => {
    for (const outcome of ['Complete', 'Fail'] as const) {
      const pi = await intent();
      const { page: p, card } = await openShop(pi.client_secret!);
      await fill(card, '4000000000003220');
      await p.getByRole('button', { name: 'Pay $20.00' }).click();
      const dialog = p.getByRole('dialog', { name: '3-D Secure authentication' });
      await dialog.waitFor();
      const challenge = p.frameLocator(CHALLENGE_FRAME);
      await challenge.getByRole('button', { name: `${outcome} authentication` }).click();
      await dialog.waitFor({ state: 'detached' });
      await until(p, 'window.shop.results.length === 1');
      const result = await lastResult(p);
      if (outcome === 'Complete') {
        expect(result.paymentIntent).toMatchObject({ id: pi.id, status: 'succeeded' });
        await p.getByText('Payment succeeded').waitFor();
      } else {
        expect(result.error).toMatchObject({ code: 'payment_intent_authentication_failure', payment_intent: { id: pi.id, status: 'requires_payment_method' } });
        expect(await p.locator('#error').textContent()).toBe(result.error.message);
      }
      expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe(outcome === 'Complete' ? 'succeeded' : 'requires_payment_method');
    }
  });

  it('closing the overlay leaves the intent requires_action and answers payment_intent_authentication_failure', async () => {
    const pi = await intent();
    const { page: p, card } = await openShop(pi.client_secret!);
    await fill(card, '4000000000003220');
    await p.getByRole('button', { name: 'Pay $20.00' }).click();
    await p.frameLocator(CHALLENGE_FRAME).getByRole('button', { name: 'Complete authentication' }).waitFor();
    // The challenge page has no script, so Escape inside it stays there: the close button is the way out.
    await p.getByRole('button', { name: 'Close authentication' }).click();
    await p.getByRole('dialog').waitFor({ state: 'detached' });
    await until(p, 'window.shop.results.length === 1');
    expect((await lastResult(p)).error).toMatchObject({ type: 'invalid_request_error', code: 'payment_intent_authentication_failure', payment_intent: { id: pi.id, status: 'requires_action' } });
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_action');
  });

  it('keyboard only: Tab through the card Element, Enter on Pay, Tab and Enter in the 3-D Secure overlay; axe finds nothing serious', async () => {
    const pi = await intent();
    const { page: p } = await openShop(pi.client_secret!);
    await until(p, 'window.shop.ready');
    expect(await axeSerious(p)).toEqual([]);
    expect(await axeSerious(frameOf(p, '/stripe/elements/frame'))).toEqual([]);

    const cardFrame = frameOf(p, '/stripe/elements/frame');
    const focusedIn = (f: Frame) => js<string | null>(f, 'document.hasFocus() ? (document.activeElement.id || document.activeElement.textContent) : null');
    let tabs = 0;
    while ((await focusedIn(cardFrame)) !== 'card-number' && tabs++ < 10) await p.keyboard.press('Tab');
    expect(await focusedIn(cardFrame)).toBe('card-number');
    await p.keyboard.type('4000000000003220');
    await p.keyboard.press('Tab');
    await p.keyboard.type(expiry.replace('/', ''));
    await p.keyboard.press('Tab');
    await p.keyboard.type('123');
    tabs = 0;
    while ((await js(p, 'document.activeElement.id')) !== 'pay' && tabs++ < 10) await p.keyboard.press('Tab');
    expect(await js(p, 'document.activeElement.id')).toBe('pay');
    await p.keyboard.press('Enter');

    await p.getByRole('dialog', { name: '3-D Secure authentication' }).waitFor();
    await p.frameLocator(CHALLENGE_FRAME).getByRole('button', { name: 'Complete authentication' }).waitFor();
    expect(await axeSerious(p)).toEqual([]);
    const challenge = frameOf(p, '/stripe/challenge/');
    expect(await axeSerious(challenge)).toEqual([]);
    tabs = 0;
    while ((await focusedIn(challenge)) !== 'Complete authentication' && tabs++ < 10) await p.keyboard.press('Tab');
    expect(await focusedIn(challenge)).toBe('Complete authentication');
    await p.keyboard.press('Enter');
    await p.getByText('Payment succeeded').waitFor();
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
    // Focus is back on the page's Pay button.
    expect(await js(p, 'document.activeElement.id')).toBe('pay');
  });

  it('confirmPayment with a payment Element: redirect "always" ends on return_url with Stripe\'s parameters (through the challenge page for 3-D Secure); "if_required" resolves here', async () => {
    for (const number of ['4242424242424242', '4000000000003220']) {
      const pi = await intent();
      const { page: p, card } = await openShop(pi.client_secret!, { mode: 'payment-always' });
      await fill(card, number);
      await p.getByRole('button', { name: 'Pay $20.00' }).click();
      if (number.endsWith('3220')) {
        await p.waitForURL((u) => u.pathname.startsWith('/stripe/challenge/'));
        await p.getByRole('button', { name: 'Complete authentication' }).click();
      }
      await p.waitForURL((u) => u.pathname === '/done');
      const back = new URL(p.url());
      expect(back.origin).toBe(shopUrl);
      expect(Object.fromEntries(back.searchParams)).toEqual({ cart: '5', payment_intent: pi.id, payment_intent_client_secret: pi.client_secret, redirect_status: 'succeeded' });
      expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
    }

    const pi = await intent();
    const { page: p, card } = await openShop(pi.client_secret!, { mode: 'payment-if' });
    await fill(card, '4000000000003220');
    await p.getByRole('button', { name: 'Pay $20.00' }).click();
    await p.frameLocator(CHALLENGE_FRAME).getByRole('button', { name: 'Complete authentication' }).click();
    await p.getByText('Payment succeeded').waitFor();
    await until(p, 'window.shop.results.length === 1');
    expect(new URL(p.url()).pathname).toBe('/');
    expect((await lastResult(p)).paymentIntent).toMatchObject({ id: pi.id, status: 'succeeded' });
  });

  it('finishes an intent the server confirmed (use_stripe_sdk): confirmCardPayment(clientSecret) and handleCardAction run the overlay instead of confirming again', async () => {
    for (const [call, outcome] of [['confirmCardPayment', 'Complete'], ['handleCardAction', 'Fail'], ['handleNextAction', 'Complete']] as const) {
      const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true });
      expect(pi).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
      const { page: p } = await openShop(pi.client_secret!);
      await until(p, 'window.shop.ready');
      const secret = JSON.stringify(pi.client_secret);
      const running = js<any>(p, call === 'handleNextAction' ? `stripe.handleNextAction({ clientSecret: ${secret} })` : `stripe.${call}(${secret})`);
      const dialog = p.getByRole('dialog', { name: '3-D Secure authentication' });
      await dialog.waitFor();
      await p.frameLocator(CHALLENGE_FRAME).getByRole('button', { name: `${outcome} authentication` }).click();
      await dialog.waitFor({ state: 'detached' });
      const result = await running;
      if (outcome === 'Complete') expect(result.paymentIntent, call).toMatchObject({ id: pi.id, status: 'succeeded' });
      else expect(result.error, call).toMatchObject({ code: 'payment_intent_authentication_failure', payment_intent: { id: pi.id, status: 'requires_payment_method' } });
      expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe(outcome === 'Complete' ? 'succeeded' : 'requires_payment_method');
      await p.close();
    }
  });

  it('an Element whose frame fails to load: loaderror, and confirmCardPayment resolves with an error instead of waiting for ever', async () => {
    const pi = await intent();
    const p = await browser.newPage();
    // The frame's request fails, as on a network error: it never says it is ready.
    await p.route('**/stripe/elements/frame?**', (r) => r.abort('connectionrefused'));
    await p.goto(`${shopUrl}/?${new URLSearchParams({ pk: t.pk, cs: pi.client_secret!, mode: 'card' })}`);
    await p.getByRole('button', { name: 'Pay $20.00' }).click();
    await until(p, 'window.shop.results.length === 1');
    expect((await lastResult(p)).error).toMatchObject({ code: 'element_load_failed' });
    expect(await p.locator('#error').textContent()).toMatch(/could not load/);
    expect(await js(p, 'window.shop.loaderrors[0].error.code')).toBe('element_load_failed');
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');
    await p.close();
  });

  it('retrievePaymentIntent answers the intent by its client secret; createPaymentMethod answers a pm_ that confirmCardPayment takes', async () => {
    const pi = await intent(1234);
    const { page: p } = await openShop(pi.client_secret!);
    await until(p, 'window.shop.ready');
    const got = await js<any>(p, `stripe.retrievePaymentIntent(${JSON.stringify(pi.client_secret)})`);
    expect(got.paymentIntent).toMatchObject({ id: pi.id, amount: 1234, status: 'requires_payment_method' });
    const bad = await js<any>(p, `stripe.retrievePaymentIntent(${JSON.stringify(`${pi.id}_secret_wrong`)})`);
    expect(bad.error).toMatchObject({ type: 'invalid_request_error', code: 'payment_intent_invalid_parameter' });

    // createPaymentMethod from the Element: the page gets the pm_, never the number.
    await fill(p.frameLocator(CARD_FRAME), '5555555555554444');
    const made = await js<any>(p, `stripe.createPaymentMethod({ type: 'card', card: element, billing_details: { email: 'jenny@example.com' } })`);
    expect(made.paymentMethod).toMatchObject({ id: expect.stringMatching(/^pm_/), card: { brand: 'mastercard', last4: '4444' }, billing_details: { email: 'jenny@example.com' } });
    expect(JSON.stringify(made)).not.toContain('5555555555554444');

    const paid = await js<any>(p, `stripe.confirmCardPayment(${JSON.stringify(pi.client_secret)}, { payment_method: ${JSON.stringify(made.paymentMethod.id)} })`);
    expect(paid.paymentIntent).toMatchObject({ id: pi.id, status: 'succeeded', payment_method: made.paymentMethod.id });
  });

  it('redirectToCheckout sends the top window to the session\'s own page on Sandpay, line items and total shown', async () => {
    const pi = await intent();
    const { page: p } = await openShop(pi.client_secret!);
    await until(p, 'window.shop.ready');
    const missing = await js<any>(p, 'stripe.redirectToCheckout({})');
    expect(missing.error).toMatchObject({ type: 'invalid_request_error', param: 'sessionId' });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 1250, product_data: { name: 'Teapot' } }, quantity: 2 }],
      success_url: `${shopUrl}/done?session={CHECKOUT_SESSION_ID}`,
    });
    // The navigation ends the evaluation's page: its promise never settles, and is let go.
    p.evaluate(`stripe.redirectToCheckout({ sessionId: ${JSON.stringify(session.id)} })`).catch(() => {});
    await p.waitForURL(`${sys.url}/stripe/checkout/${session.id}`);
    // The session's own page: its line items and total, ready to pay.
    expect(await p.getByRole('list', { name: 'Order summary' }).textContent()).toContain('Teapot');
    expect(await p.getByRole('button', { name: /^Pay / }).textContent()).toBe('Pay $25.00');
  });

  it('refuses a page on an origin the store does not allow: no card form, and Stripe.js answers origin_not_allowed', async () => {
    const pi = await intent();
    const foreign = shopUrl.replace('localhost', '127.0.0.1');
    const { page: p, card } = await openShop(pi.client_secret!, { origin: foreign });
    await card.getByText(/does not allow that origin/).waitFor();
    expect(await card.getByLabel('Card number').count()).toBe(0);
    await until(p, 'window.shop.loaderrors.length === 1');
    expect(await js(p, 'window.shop.loaderrors[0].error.code')).toBe('origin_not_allowed');
    await p.getByRole('button', { name: 'Pay $20.00' }).click();
    await until(p, 'window.shop.results.length === 1');
    expect((await lastResult(p)).error).toMatchObject({ type: 'invalid_request_error', code: 'origin_not_allowed' });
    // Its direct calls are refused too.
    const direct = await js<any>(p, `stripe.confirmCardPayment(${JSON.stringify(pi.client_secret)}, { payment_method: 'pm_card_visa' })`);
    expect(direct.error).toMatchObject({ type: 'invalid_request_error', code: 'origin_not_allowed' });
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');
  });
});

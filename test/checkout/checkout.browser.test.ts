import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoMerchant, type DemoMerchant } from '../../examples/merchant/server.ts';
import { POLL_MS } from '../../src/checkout/page.ts';
import { TEST_CARDS } from '../../src/payments/instruments.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { Client } from '../support/client.ts';
import { useBrowser, WAIT_MS } from '../support/browser.ts';
import { CARDS } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * The checkout loop in a real browser: the demo merchant on http://localhost:PORT opens
 * Sandpay's checkout (http://127.0.0.1:PORT, another origin) with checkout.js, the "customer"
 * pays in the iframe, the merchant's server verifies the signed result and receives webhooks.
 */

/** Evaluated in the page (no DOM types in this project's compilation, so as strings). */
const js = <T = unknown>(where: Page | Frame, expression: string) => where.evaluate(expression) as Promise<T>;
const until = (page: Page, expression: string) => page.waitForFunction(expression, undefined, { timeout: WAIT_MS });

const browser = useBrowser();
let sys: TestSystem;
let shop: DemoMerchant;
let api: Client;

beforeAll(async () => {
  sys = await startTestSystem();
  shop = await startDemoMerchant({ sandpayUrl: sys.url, port: 0 });
  api = new Client(`${sys.url}/api/v1`, shop.keys.secret_key);
}, 60_000);
afterAll(async () => {
  await shop?.stop();
  await sys?.stop();
});

const FRAME = 'iframe[title="Sandpay checkout"]';
const expiry = `12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

async function openShop(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(shop.url);
  return page;
}

async function openCheckout(page: Page): Promise<FrameLocator> {
  await page.getByRole('button', { name: 'Pay with Sandpay' }).click();
  const frame = page.frameLocator(FRAME);
  await frame.getByLabel('Card number').waitFor();
  return frame;
}

/** The checkout iframe's Frame, for evaluating inside it. */
function checkoutFrame(page: Page): Frame {
  const f = page.frames().find((x) => /\/checkout\/cs_/.test(x.url()));
  if (!f) throw new Error('no checkout frame');
  return f;
}

async function fillCard(frame: FrameLocator | Page, number: string): Promise<void> {
  await frame.getByLabel('Card number').fill(number);
  await frame.getByLabel('Expiry').fill(expiry);
  await frame.getByLabel('CVC').fill(number.startsWith('37') ? '1234' : '123');
}

const payButton = (frame: FrameLocator | Page) => frame.getByRole('button', { name: /^Pay / });

/** Waits for the merchant's server to have verified a result, and returns it. */
async function verifiedResult(page: Page) {
  await until(page, 'window.demo.verification !== undefined');
  const demo = await js<any>(page, 'window.demo');
  expect(demo.verification).toMatchObject({ verified: true, order_status: 'paid' });
  const result = demo.results.at(-1);
  expect(result.signature).toBe(createHmac('sha256', shop.keys.webhook_secret).update(`${result.order_id}|${result.payment_id}`).digest('hex'));
  return result as { payment_id: string; order_id: string; signature: string };
}

const paymentsOf = async (orderId: string) => (await api.get(`/orders/${orderId}/payments?limit=100`)).body.data as Array<{ id: string; status: string }>;

describe('checkout in a browser', () => {
  it('pays by card: the handler result verifies on the server, the order is paid and the webhook arrives', async () => {
    const page = await openShop();
    const frame = await openCheckout(page);
    await frame.getByText('₹499.00', { exact: true }).first().waitFor();
    await frame.getByRole('heading', { name: 'Demo Shop' }).waitFor();

    // The README's screenshot comes from this run (rewritten with UPDATE_SCREENSHOTS=1).
    const shot = path.join(PROJECT_ROOT, 'docs', 'checkout.png');
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(shot)) {
      await mkdir(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot });
    }

    // A test instrument fills the form on click.
    await frame.getByRole('button', { name: /4242 4242 4242 4242/ }).click();
    expect(await frame.getByLabel('Card number').inputValue()).toBe('4242 4242 4242 4242');
    await payButton(frame).click();

    const result = await verifiedResult(page);
    expect((await api.get(`/orders/${result.order_id}`)).body.status).toBe('paid');
    await page.getByText(/checkout\.session\.completed .* signature verified/).waitFor();
    await page.getByText(/payment\.success .* signature verified/).waitFor();
    expect(shop.webhooks.filter((w) => w.order_id === result.order_id && w.verified).map((w) => w.type)).toEqual(
      expect.arrayContaining(['payment.success', 'order.paid', 'checkout.session.completed']),
    );
    // The modal is gone and focus is back where it was.
    expect(await page.locator(FRAME).count()).toBe(0);
    expect(await js(page, 'document.activeElement?.id')).toBe('pay');
  });

  it('shows a decline in words, then pays with a good card on the same order: exactly one successful payment', async () => {
    const page = await openShop();
    const frame = await openCheckout(page);
    await frame.getByLabel('Card number').click();
    // Inline validation before anything is sent.
    await payButton(frame).click();
    await frame.getByText('Enter your card number.').waitFor();
    await fillCard(frame, '4242424242424241');
    await payButton(frame).click();
    await frame.getByText('This card number is not valid. Check the digits.').waitFor();

    await fillCard(frame, CARDS.declined);
    await payButton(frame).click();
    await frame.getByRole('heading', { name: 'Payment failed' }).waitFor();
    await frame.getByText('Your card was declined. Try another card or payment method.', { exact: true }).waitFor();
    await until(page, 'window.demo.failures.length === 1');
    const failure = await js<{ code: string; description: string; payment_id: string }>(page, 'window.demo.failures[0]');
    expect(failure).toMatchObject({ code: 'card_declined', payment_id: expect.stringMatching(/^pay_/) });

    // The card number is nowhere in the checkout's storage, cookies or address.
    const traces = await js<string>(checkoutFrame(page), 'JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie, location.href])');
    expect(traces).not.toContain(CARDS.declined);
    expect(page.url()).not.toContain(CARDS.declined);

    await frame.getByRole('button', { name: 'Try again' }).click();
    await fillCard(frame, CARDS.mastercard);
    await payButton(frame).click();
    const result = await verifiedResult(page);
    const payments = await paymentsOf(result.order_id);
    expect(payments.map((p) => p.status).sort()).toEqual(['failed', 'success']);
    expect(payments.find((p) => p.status === 'failed')!.id).toBe(failure.payment_id);
  });

  it('3-D Secure: the challenge fails, then completes', async () => {
    const page = await openShop();
    const frame = await openCheckout(page);
    await fillCard(frame, CARDS.delayed);
    await payButton(frame).click();
    await frame.getByRole('heading', { name: '3-D Secure authentication' }).waitFor();
    await frame.getByRole('button', { name: 'Fail' }).click();
    await frame.getByText('3-D Secure authentication failed. Nothing was charged; try again.', { exact: true }).waitFor();
    await until(page, "window.demo.failures.some((f) => f.code === 'authentication_failed')");

    await frame.getByRole('button', { name: 'Try again' }).click();
    await fillCard(frame, CARDS.delayed);
    await payButton(frame).click();
    await frame.getByRole('button', { name: 'Complete' }).click();
    const result = await verifiedResult(page);
    expect((await paymentsOf(result.order_id)).map((p) => p.status).sort()).toEqual(['failed', 'success']);
  });

  it('lists every test card, none hidden in an inner scroll box, and the 3-D Secure card the demo suggests fills the form', async () => {
    const page = await openShop();
    const frame = await openCheckout(page);
    const list = frame.locator('details.instruments[data-method="card"] ul');
    const cards = list.getByRole('button');
    expect(await cards.count()).toBe(TEST_CARDS.filter((c) => !c.stripe).length);
    expect(await list.evaluate((ul: any) => ul.scrollHeight - ul.clientHeight)).toBeLessThanOrEqual(1);
    const box = (await list.boundingBox())!;
    for (const card of await cards.all()) {
      const b = (await card.boundingBox())!;
      expect(b.y >= box.y - 1 && b.y + b.height <= box.y + box.height + 1, `${await card.innerText()} lies outside the list's box`).toBe(true);
    }
    await list.getByRole('button', { name: /4000 0000 0000 3220/ }).click();
    expect(await frame.getByLabel('Card number').inputValue()).toBe('4000 0000 0000 3220');
  });

  it('UPI collect: the waiting screen shows success by itself when the payment is simulated', async () => {
    const page = await openShop();
    const frame = await openCheckout(page);
    await frame.getByRole('tab', { name: 'UPI' }).click();
    await frame.getByLabel('UPI ID').fill('pending@sandpay');
    await payButton(frame).click();
    await frame.getByRole('heading', { name: 'Waiting for the payment' }).waitFor();
    // "Within 2 s": the page asks at least every second (the test does not time the machine).
    const poll = await js<number>(checkoutFrame(page), 'Number(document.body.dataset.pollMs)');
    expect(poll).toBe(POLL_MS);
    expect(poll).toBeLessThanOrEqual(1000);

    const orderId = await js<string>(page, 'window.demo.order.order_id');
    const [pending] = await paymentsOf(orderId);
    expect(pending).toMatchObject({ status: 'pending' });
    expect((await api.post(`/payments/${pending!.id}/simulate`, { outcome: 'success' })).status).toBe(200);
    const result = await verifiedResult(page);
    expect(result.payment_id).toBe(pending!.id);
  });

  it('closing by the close button or Esc calls ondismiss and gives focus back', async () => {
    const page = await openShop();
    await openCheckout(page);
    await page.getByRole('button', { name: 'Close checkout' }).click();
    await until(page, 'window.demo.dismissed === 1');
    expect(await page.locator(FRAME).count()).toBe(0);
    expect(await js(page, 'document.activeElement?.id')).toBe('pay');

    // Esc with the focus inside the checkout frame.
    const frame = await openCheckout(page);
    await frame.getByLabel('Card number').focus();
    await page.keyboard.press('Escape');
    await until(page, 'window.demo.dismissed === 2');
    expect(await js(page, 'document.activeElement?.id')).toBe('pay');
  });

  it('redirect flow: the hosted page returns to success_url with a signed result', async () => {
    const page = await openShop();
    await page.getByRole('button', { name: "Pay on Sandpay's page" }).click();
    await page.waitForURL(/\/checkout\/cs_/);
    expect(new URL(page.url()).origin).toBe(new URL(sys.url).origin);
    await fillCard(page, CARDS.visa);
    await payButton(page).click();
    await page.waitForURL((u) => u.href.startsWith(`${shop.url}/?checkout=return`), { timeout: WAIT_MS });
    const q = new URL(page.url()).searchParams;
    expect(q.get('payment_id')).toMatch(/^pay_/);
    expect([...q.keys()].sort()).toEqual(['checkout', 'order_id', 'payment_id', 'signature']);
    await verifiedResult(page);
  });

  it('pays with the keyboard alone', async () => {
    const page = await openShop();
    for (let i = 0; i < 10 && (await js(page, 'document.activeElement?.id')) !== 'pay'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const frame = page.frameLocator(FRAME);
    await frame.getByLabel('Card number').waitFor();
    // checkout.js moves the focus into the first field.
    await until(page, "document.activeElement?.tagName === 'IFRAME'");
    await expect.poll(() => js(checkoutFrame(page), 'document.activeElement?.id'), { timeout: WAIT_MS }).toBe('card-number');
    await page.keyboard.type(CARDS.visa);
    await page.keyboard.press('Tab');
    await page.keyboard.type(expiry.replace('/', ''));
    await page.keyboard.press('Tab');
    await page.keyboard.type('123');
    await page.keyboard.press('Enter');
    await verifiedResult(page);
  });

  it('ignores messages from other origins, and refuses to open from an origin the tenant does not allow', async () => {
    const page = await openShop();
    await openCheckout(page);
    const forged = { source: 'sandpay-checkout', type: 'payment.success', result: { payment_id: 'pay_forged', order_id: 'order_forged', signature: 'x' } };
    // From the merchant's own window, and from a frame of a third origin.
    await page.evaluate((m) => (globalThis as any).postMessage(m, '*'), forged);
    const foreign = shop.url.replace('localhost', '127.0.0.1');
    await page.evaluate((src) => {
      const doc = (globalThis as any).document;
      const f = doc.createElement('iframe');
      f.src = src;
      f.name = 'foreign';
      doc.body.appendChild(f);
    }, `${foreign}/api/webhooks`);
    const third = (await (await page.waitForSelector('iframe[name="foreign"]')).contentFrame())!;
    await third.waitForLoadState();
    expect(third.url().startsWith(foreign)).toBe(true);
    await third.evaluate((m) => (globalThis as any).parent.postMessage(m, '*'), forged);
    await third.evaluate((m) => (globalThis as any).parent.postMessage({ ...m, type: 'dismiss' }, '*'), forged);
    // A real dismissal afterwards: the forged messages, queued before it, have been seen by then.
    await page.getByRole('button', { name: 'Close checkout' }).click();
    await until(page, 'window.demo.dismissed === 1');
    expect(await js(page, 'window.demo.results')).toEqual([]);

    // The demo tenant allows only http://localhost:PORT; the same page on 127.0.0.1 may not open checkout.
    const other = await browser.newPage();
    await other.goto(foreign);
    await other.getByRole('button', { name: 'Pay with Sandpay' }).click();
    await until(other, 'window.demo.errors.length === 1');
    expect(await js(other, 'window.demo.errors[0].code')).toBe('origin_not_allowed');
  });

  it('has no serious accessibility violations (axe), a visible label for every field and a "Pay …" button', async () => {
    const session = (await api.post('/checkout/sessions', { amount: 49900, currency: 'INR', description: 'Sandpay T-shirt', cancel_url: `${shop.url}/` })).body;
    const page = await browser.newPage();
    await page.goto(session.url);
    const axe = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // evaluate() is not subject to the page's CSP, so axe runs without weakening it.
    await page.evaluate(axe);
    const serious = () =>
      js<string[]>(page, `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target).join(', ')))`);
    expect(await serious()).toEqual([]);
    for (const label of ['Card number', 'Expiry', 'CVC', 'Email (optional)']) expect(await page.getByLabel(label).isVisible(), label).toBe(true);
    expect(await payButton(page).count()).toBe(1);
    expect(await payButton(page).textContent()).toBe('Pay ₹499.00');

    // The error state too.
    await payButton(page).click();
    await page.getByText('Enter your card number.').waitFor();
    expect(await js(page, 'document.activeElement?.id')).toBe('card-number');
    expect(await serious()).toEqual([]);

    await page.getByRole('tab', { name: 'UPI' }).click();
    expect(await page.getByLabel('UPI ID').isVisible()).toBe(true);
    await page.getByRole('tab', { name: 'UPI' }).press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Netbanking' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByLabel('Bank', { exact: true }).isVisible()).toBe(true);
    expect(await serious()).toEqual([]);
  });
});

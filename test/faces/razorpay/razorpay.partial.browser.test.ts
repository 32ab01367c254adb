import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowser, WAIT_MS } from '../../support/browser.ts';
import { registerTenant } from '../../support/client.ts';
import { CARDS } from '../../support/payments.ts';
import { razorpayKeys, razorpaySdk } from '../../support/razorpay.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * A payer pays a Razorpay payment link with accept_partial in two visits to its short_url, in a
 * real browser and with the keyboard alone, choosing each amount in the "Amount to pay" field.
 */
const browser = useBrowser();
let sys: TestSystem;
let rzp: Razorpay;

beforeAll(async () => {
  sys = await startTestSystem();
  rzp = razorpaySdk(sys.url, await razorpayKeys(await registerTenant(sys.url)));
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

const js = <T = unknown>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;
const expiry = String((new Date().getFullYear() + 3) % 100).padStart(2, '0');
const active = (page: Page) => js<string>(page, 'document.activeElement?.id');

/** Tabs (a bounded number of times) until the element with this id has the focus. */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 15 && (await active(page)) !== id; i++) await page.keyboard.press('Tab');
  expect(await active(page)).toBe(id);
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  return js<string[]>(page, `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.map((n) => n.target).join(', ')))`);
}

/** Types the amount (replacing what is there), then a test card, and submits with Enter. */
async function payWithKeyboard(page: Page, amount: string): Promise<void> {
  await tabTo(page, 'pay-amount');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(amount);
  await tabTo(page, 'card-number');
  await page.keyboard.type(CARDS.visa);
  await page.keyboard.press('Tab');
  await page.keyboard.type(`12${expiry}`);
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await page.keyboard.press('Enter');
}

describe('a partial payment link on the hosted checkout', () => {
  it('is paid in two visits through the "Amount to pay" field, with the keyboard, axe clean', async () => {
    const link: any = await rzp.paymentLink.create({ amount: 60000, currency: 'INR', accept_partial: true, first_min_partial_amount: 20000, description: 'Two parts' } as any);

    const page = await browser.newPage();
    await page.goto(link.short_url);
    const amount = page.getByLabel('Amount to pay');
    expect(await amount.isVisible()).toBe(true);
    expect(await amount.inputValue()).toBe('600.00');
    expect(await page.locator('#pay-amount-hint').textContent()).toBe('Pay part or all of what is due: from ₹200.00 to ₹600.00.');
    expect(await page.locator('#pay').textContent()).toBe('Pay ₹600.00');
    expect(await seriousViolations(page)).toEqual([]);

    // Below the first minimum: a human message on the field, nothing paid.
    await tabTo(page, 'pay-amount');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('150');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#pay-amount-error').textContent(), { timeout: WAIT_MS }).toBe('Pay at least ₹200.00.');
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    expect(await active(page)).toBe('pay-amount');
    expect(await seriousViolations(page)).toEqual([]);
    // More than is due, and not a number.
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('600.01');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#pay-amount-error').textContent(), { timeout: WAIT_MS }).toBe('You can pay at most ₹600.00, what is still due.');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('lots');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#pay-amount-error').textContent(), { timeout: WAIT_MS }).toBe('Enter an amount such as 600.00.');
    expect(await rzp.paymentLink.fetch(link.id)).toMatchObject({ status: 'created', amount_paid: 0 });

    await payWithKeyboard(page, '250');
    await page.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: WAIT_MS });
    const merchant = await page.locator('#merchant').textContent();
    expect(await page.locator('#success-amount').textContent()).toBe(`₹250.00 paid to ${merchant}.`);
    expect(await rzp.paymentLink.fetch(link.id)).toMatchObject({ status: 'partially_paid', amount_paid: 25000 });

    // The second visit: a new checkout whose amount defaults to what is still due.
    const again = await browser.newPage();
    await again.goto(link.short_url);
    expect(await again.getByLabel('Amount to pay').inputValue()).toBe('350.00');
    expect(await again.locator('#pay').textContent()).toBe('Pay ₹350.00');
    expect(await again.locator('#pay-amount-hint').textContent()).toBe('Pay part or all of what is due: from ₹1.00 to ₹350.00.');
    expect(await seriousViolations(again)).toEqual([]);
    await payWithKeyboard(again, '350.00');
    await again.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: WAIT_MS });
    const paid: any = await rzp.paymentLink.fetch(link.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 60000 });
    expect(paid.payments.map((p: any) => p.amount)).toEqual([25000, 35000]);
  });

  it('a link without accept_partial shows no amount field', async () => {
    const link: any = await rzp.paymentLink.create({ amount: 10000, currency: 'INR' } as any);
    const page = await browser.newPage();
    await page.goto(link.short_url);
    await page.locator('#pay').waitFor();
    expect(await page.getByLabel('Amount to pay').count()).toBe(0);
    expect(await page.locator('#pay').textContent()).toBe('Pay ₹100.00');
  });
});

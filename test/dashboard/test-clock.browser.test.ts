import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { useBrowser } from '../support/browser.ts';
import { eventually } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/** The test clock's card on the Developers page, in a real browser: shown, advanced from the keyboard, a bad duration explained. */
const browser = useBrowser();
let sys: TestSystem;
let shop: TestTenant;
let axeSource: string;

beforeAll(async () => {
  sys = await startTestSystem();
  shop = await registerTenant(sys.url, 'Clock Shop');
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
}, 60_000);
afterAll(() => sys?.stop());

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`) as Promise<string[]>;
}

describe('dashboard test clock', () => {
  it('shows the clock, refuses a bad duration in words, and advances 3d from the keyboard', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${sys.url}/dashboard/developers`);
    await page.getByLabel('Secret key or admin token').fill(shop.sk);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const card = page.locator('section.card', { has: page.getByRole('heading', { name: 'Test clock' }) });
    await card.locator('.clock-offset', { hasText: 'Real time' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    const field = card.getByLabel('Advance by');
    await field.fill('soon');
    await field.press('Enter');
    await card.getByRole('alert').filter({ hasText: 'The clock did not move: Invalid by: a number and a unit' }).waitFor();

    await field.fill('3d');
    await field.press('Enter');
    await card.locator('.clock-offset', { hasText: /(2d 23h 59m|3d) ahead of real time/ }).waitFor();
    await card.locator('.clock-status', { hasText: 'ready' }).waitFor();
    expect(await card.getByRole('alert').count()).toBe(0);
    const api = await eventually(() => shop.api.get('/test-clock'), (r) => r.body.status === 'ready');
    expect(api.body.offset_seconds).toBeGreaterThan(3 * 86_400 - 120);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

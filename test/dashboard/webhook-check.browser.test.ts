import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { useBrowser } from '../support/browser.ts';
import { FORGERY_CASES, startNaiveHandler, type RunningHandler } from '../support/handlers.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/** The webhooks page's "Check handler" button in a real browser: the graded table, the keyboard, a human error. */

const browser = useBrowser();
let sys: TestSystem;
let shop: TestTenant;
let naive: RunningHandler;
let axeSource: string;

beforeAll(async () => {
  sys = await startTestSystem();
  shop = await registerTenant(sys.url, 'Check Shop');
  naive = await startNaiveHandler();
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
}, 60_000);
afterAll(async () => {
  await naive?.stop();
  await sys?.stop();
});

async function open(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(msg.text());
  });
  await page.goto(`${sys.url}/dashboard/webhooks`);
  await page.getByLabel('Secret key or admin token').fill(shop.sk);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { page, errors };
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`) as Promise<string[]>;
}

describe('dashboard: Check handler', () => {
  it('runs from the keyboard and shows the graded table: the naive handler fails exactly the forgeries, with the reason', async () => {
    const ep = await shop.api.post('/webhook-endpoints', { url: naive.url, events: ['*'] });
    expect(ep.status, ep.text).toBe(201);
    const { page, errors } = await open();
    const card = page.locator(`li[data-endpoint-id="${ep.body.id}"]`);
    // Reached with Tab from the button before it, pressed with Enter.
    await card.getByRole('button', { name: 'Send test event' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Check handler');
    await page.keyboard.press('Enter');

    await card.getByRole('status').filter({ hasText: 'Handler check failed' }).waitFor();
    const table = card.getByRole('table', { name: /Each delivery sent to/ });
    const failed = table.locator('tr[data-verdict="fail"]');
    expect(await failed.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case')))).toEqual(FORGERY_CASES(true));
    for (const text of await failed.allInnerTexts()) expect(text).toContain('your handler accepts forged events');
    expect(await table.locator('tr[data-verdict="pass"]').count()).toBeGreaterThan(0);
    expect(await card.getByRole('status').filter({ hasText: 'Handler check failed' }).innerText()).toMatch(/\d+ passed, 5 failed \(sandpay format/);
    expect(await table.getByRole('columnheader').allInnerTexts()).toEqual(['Case', 'Sent', 'Answer', 'Verdict', 'Why']);
    expect(await axeViolations(page)).toEqual([]);

    // The endpoint deleted meanwhile: the button says why, in words, where it is.
    expect((await shop.api.delete(`/webhook-endpoints/${ep.body.id}`)).status).toBe(200);
    await card.getByRole('button', { name: 'Check handler' }).click();
    const alert = card.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/^Handler not checked: .*webhook endpoint/i);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowser, WAIT_MS } from '../support/browser.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({ SANDPAY_ROLE: 'api' });
});
afterAll(() => sys?.stop());

const browser = useBrowser();

describe('/docs', () => {
  it('renders the API reference from openapi.json in a browser, with nothing fetched from elsewhere', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (!['127.0.0.1', 'localhost'].includes(url.hostname) && url.protocol !== 'data:' && url.protocol !== 'blob:') foreign.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${sys.url}/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    // The payments routes, as the document names them (the reference renders a tag's operations once it is opened).
    await page.getByText('Payments', { exact: true }).first().click({ timeout: WAIT_MS });
    await page.getByText('Create a payment').first().waitFor({ timeout: WAIT_MS });
    await page.getByText('List payments').first().waitFor({ timeout: WAIT_MS });
    expect(await page.getByText('/api/v1/payments').count()).toBeGreaterThan(0);
    expect(await page.title()).toMatch(/Sandpay/);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows the commands with the origin it is served from, and each sidebar section once', async () => {
    const page = await browser.newPage();
    await page.goto(`${sys.url}/docs`);
    await page.getByText(`B=${sys.url}/api/v1`).first().waitFor({ timeout: WAIT_MS });
    expect(await page.getByText('127.0.0.1:3000').count()).toBe(0);
    const sidebar = page.locator('aside').first();
    await sidebar.getByText('Payments', { exact: true }).first().waitFor({ timeout: WAIT_MS });
    const labels = (await sidebar.locator('ul').first().locator(':scope > li > div > a').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    expect(labels).toContain('Webhooks');
    expect(labels.filter((l, i) => labels.indexOf(l) !== i)).toEqual([]);
    // Scalar's toolbar would offer to share or deploy the document through its own servers.
    expect(await page.getByText('Deploy', { exact: true }).count()).toBe(0);
  });
});

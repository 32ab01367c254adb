import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { Client, registerTenant, type TestTenant } from '../support/client.ts';
import { useBrowser, WAIT_MS } from '../support/browser.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { Receiver } from '../support/receiver.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * The dashboard in a real browser against a whole Sandpay: sign-in, live payments, actions,
 * webhooks, fraud rules, the request log, sessions, and the operator's dead-letter queue.
 */

const browser = useBrowser();
let sys: TestSystem;
let receiver: Receiver;
let shop: TestTenant;
let axeSource: string;

beforeAll(async () => {
  sys = await startTestSystem({ WEBHOOK_RETRY_SCHEDULE: '1,1' });
  receiver = await new Receiver().start();
  shop = await registerTenant(sys.url, 'Dashboard Shop');
  const endpoint = await shop.api.post('/webhook-endpoints', { url: `${receiver.url}/hooks`, events: ['*'] });
  expect(endpoint.status, endpoint.text).toBe(201);
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
}, 60_000);
afterAll(async () => {
  await receiver?.stop();
  await sys?.stop();
});

/** A page whose script errors fail the test. */
async function open(): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(msg.text());
  });
  (page as any).scriptErrors = errors;
  return page;
}

const scriptErrors = (page: Page): string[] => (page as any).scriptErrors;

async function signIn(page: Page, key: string, at = '/dashboard'): Promise<void> {
  await page.goto(sys.url + at);
  await page.getByLabel('Secret key or admin token').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Serious or critical axe violations on the page as it is now (axe runs outside the page's CSP). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`) as Promise<string[]>;
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 });

/** The README's screenshots come from this run: written when missing, rewritten with UPDATE_SCREENSHOTS=1. */
async function screenshot(page: Page, name: string): Promise<void> {
  const file = path.join(PROJECT_ROOT, 'docs', name);
  if (process.env.UPDATE_SCREENSHOTS !== '1' && existsSync(file)) return;
  await mkdir(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
}

describe('tenant dashboard', () => {
  it('signs in with a key, shows a payment created through the API live, refunds part of it and shows the refund event and its delivery', async () => {
    const page = await open();
    await signIn(page, shop.sk);
    await page.getByRole('link', { name: 'Payments', exact: true }).click();
    await heading(page).filter({ hasText: 'Payments' }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();

    const payment = await createPayment(shop.api, cardBody(CARDS.visa, { amount: 50000, customer_email: 'buyer@example.com' }));
    const link = page.getByRole('link', { name: payment.id });
    await link.waitFor(); // no reload: it came over the event stream
    await link.click();
    await heading(page).filter({ hasText: payment.id }).waitFor();

    await page.getByLabel('Refund amount (INR)').fill('200.00');
    await page.getByLabel('Reason (optional)').fill('damaged');
    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    const refundEvent = page.locator('[data-event-type="refund.created"]');
    await refundEvent.waitFor();
    await refundEvent.locator('.badge', { hasText: 'delivered' }).first().waitFor();
    await page.getByRole('cell', { name: '₹200.00' }).waitFor();
    await refundEvent.getByText('Attempt 1: 200').first().click();
    await refundEvent.getByLabel('Attempt 1 request headers').first().filter({ hasText: 'webhook-signature' }).waitFor();
    const refunds = await shop.api.get(`/payments/${payment.id}/refunds`);
    expect(refunds.body.data[0]).toMatchObject({ amount: 20000, reason: 'damaged' });

    expect(await axeViolations(page)).toEqual([]);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'dashboard-payment.png');

    await page.getByRole('link', { name: 'Home' }).click();
    await heading(page).filter({ hasText: 'Home' }).waitFor();
    await page.locator('.chart-box canvas').first().waitFor();
    await page.getByRole('heading', { name: 'Refunds today' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard-home.png');
    expect(scriptErrors(page)).toEqual([]);
  });

  it('shows a delivery dying against a broken receiver, replays it from the page and shows it delivered', async () => {
    receiver.respond = () => ({ status: 500, body: 'broken' });
    const page = await open();
    await signIn(page, shop.sk, '/dashboard/webhooks/deliveries');
    await heading(page).filter({ hasText: 'Webhooks' }).waitFor();
    const payment = await createPayment(shop.api);
    const dead = await eventually(
      () => shop.api.get('/webhook-deliveries?status=dead&limit=100'),
      (r) => r.body.data.some((d: any) => d.event_type === 'payment.success' && d.attempts.length > 0 && JSON.stringify(d).length > 0),
    );
    const delivery = dead.body.data.find((d: any) => d.event_type === 'payment.success');
    const row = page.locator(`[data-delivery-id="${delivery.id}"]`);
    await row.locator('.badge', { hasText: 'dead' }).waitFor();
    expect(payment.status).toBe('success');

    receiver.respond = () => ({ status: 200, body: 'ok' });
    await page.getByRole('button', { name: 'Replay all dead deliveries' }).click();
    await row.locator('.badge', { hasText: 'delivered' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(scriptErrors(page)).toEqual([]);
  });

  it('toggles a fraud rule on and the next payment is flagged', async () => {
    const rule = await shop.api.post('/fraud-rules', { name: 'Over 1000', type: 'amount_limit', params: { max_amount: 100000 }, action: 'flag', enabled: false });
    expect(rule.status, rule.text).toBe(201);
    const page = await open();
    await signIn(page, shop.sk, '/dashboard/fraud');
    await page.getByLabel('Over 1000 enabled').check();
    await eventually(() => shop.api.get(`/fraud-rules/${rule.body.id}`), (r) => r.body.enabled === true);
    expect(await axeViolations(page)).toEqual([]);

    const flagged = await createPayment(shop.api, cardBody(CARDS.visa, { amount: 250000 }));
    expect(flagged.status).toBe('flagged');
    await page.getByRole('link', { name: 'Payments', exact: true }).click();
    await page.locator(`[data-payment-id="${flagged.id}"] .badge`, { hasText: 'flagged' }).waitFor();
    await shop.api.patch(`/fraud-rules/${rule.body.id}`, { enabled: false });
    expect(scriptErrors(page)).toEqual([]);
  });

  it("a tenant session gets a 404 page for another tenant's payment and a 403 page for operator pages", async () => {
    const other = await registerTenant(sys.url, 'Other');
    const theirs = await createPayment(other.api);
    const page = await open();
    await signIn(page, shop.sk, `/dashboard/payments/${theirs.id}`);
    await heading(page).filter({ hasText: '404' }).waitFor();
    await page.goto(`${sys.url}/dashboard/operator/dlq`);
    await heading(page).filter({ hasText: '403' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('refuses a POST without the CSRF token, and signing out ends the session', async () => {
    const page = await open();
    await signIn(page, shop.sk);
    const status = await page.evaluate(`fetch('/api/v1/payments', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'csrf-less' },
      body: JSON.stringify(${JSON.stringify(cardBody())}) }).then(async (r) => [r.status, (await r.json()).error.code])`);
    expect(status).toEqual([403, 'csrf_token_invalid']);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'sandpay_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate('document.cookie')).not.toContain('sandpay_session');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Secret key or admin token').waitFor();
    const after = await fetch(`${sys.url}/api/v1/payments`, { headers: { cookie: `sandpay_session=${cookie.value}` } });
    expect(after.status).toBe(401);
    expect(await page.evaluate(`Object.keys(localStorage).length + Object.keys(sessionStorage).length`)).toBe(0);
  });

  it('a rotated key ends its dashboard sessions', async () => {
    const t = await registerTenant(sys.url, 'Rotator');
    const page = await open();
    await signIn(page, t.sk);
    await heading(page).filter({ hasText: 'Home' }).waitFor();
    expect((await t.api.post('/auth/keys/rotate', { type: 'secret' })).status).toBe(200);
    await page.getByRole('link', { name: 'Payments', exact: true }).click();
    await page.getByLabel('Secret key or admin token').waitFor();
  });

  it('the request log shows a 4xx with its error code and no card number', async () => {
    const bad = await shop.api.post('/payments', cardBody(CARDS.visa, { card: { number: '4242424242424242', exp_month: 13, exp_year: 2030, cvc: '123' } }), {
      idem: 'bad-expiry-1', headers: { 'x-request-id': 'req-bad-expiry' },
    });
    expect(bad.status).toBe(400);
    const page = await open();
    await signIn(page, shop.sk, '/dashboard/developers/logs');
    const row = page.locator('tr[data-request-id="req-bad-expiry"]');
    await row.waitFor();
    await row.getByRole('cell', { name: '400' }).waitFor();
    await row.getByRole('link', { name: bad.body.error.code }).click();
    await page.getByRole('note').filter({ hasText: bad.body.error.code }).waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('bad-expiry-1');
    expect(text).toContain('••••4242');
    expect(text).not.toContain('4242424242424242');
    expect(await axeViolations(page)).toEqual([]);
    expect(scriptErrors(page)).toEqual([]);
  });

  it('the other tenant pages render without errors or accessibility violations', async () => {
    receiver.respond = () => ({ status: 200, body: 'ok' });
    await createPayment(shop.api);
    const page = await open();
    await signIn(page, shop.sk, '/dashboard/webhooks');
    await page.getByRole('button', { name: 'Send test event' }).first().click();
    await page.getByText('Test event delivered').waitFor();
    expect(receiver.received.some((r) => r.headers['x-sandpay-test'] === 'true')).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByText('Event JSON').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Developers' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(scriptErrors(page)).toEqual([]);
  });
});

describe('what a newcomer tripped on', () => {
  it('lists restricted keys made with the API with their permissions, and revokes one from the keyboard', async () => {
    const made = await shop.api.post('/auth/keys', { type: 'restricted', name: 'refund bot', permissions: { payments: 'read', refunds: 'write' } });
    expect(made.status, made.text).toBe(201);
    const kept = await shop.api.post('/auth/keys', { type: 'restricted', name: 'reporting', permissions: { payments: 'read' } });
    expect(kept.status, kept.text).toBe(201);
    const page = await open();
    await signIn(page, shop.sk, '/dashboard/developers');
    await page.getByRole('heading', { name: 'Restricted keys' }).waitFor();
    const row = page.locator(`tr[data-key-id="${made.body.id}"]`);
    await row.getByRole('cell', { name: 'payments: read, refunds: write' }).waitFor();
    await row.getByRole('cell', { name: made.body.hint, exact: true }).waitFor();
    await page.locator(`tr[data-key-id="${kept.body.id}"]`).getByRole('cell', { name: 'payments: read', exact: true }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const revoke = row.getByRole('button', { name: `Revoke refund bot (${made.body.hint})` });

    // A revoke that cannot get through says so in words, next to its button.
    await page.route('**/api/v1/auth/keys/*', (r) => r.abort());
    page.once('dialog', (d) => void d.accept());
    await revoke.click();
    await row.getByRole('alert').filter({ hasText: 'Not revoked: Sandpay could not be reached' }).waitFor();
    await page.unroute('**/api/v1/auth/keys/*');

    // Keyboard only: focus, Enter, then accept the confirmation.
    page.once('dialog', (d) => void d.accept());
    await revoke.focus();
    await page.keyboard.press('Enter');
    await row.getByText('revoked', { exact: true }).waitFor();
    expect(await row.getByRole('button').count()).toBe(0);
    expect((await new Client(`${sys.url}/api/v1`, made.body.secret).get('/payments')).status).toBe(401);
    expect((await new Client(`${sys.url}/api/v1`, kept.body.secret).get('/payments')).status).toBe(200);
    expect(await axeViolations(page)).toEqual([]);
    expect(scriptErrors(page)).toEqual([]);
  });

  it('the settings form saves only what was changed on it: a tab left open does not undo a later API change', async () => {
    const other = await registerTenant(sys.url, 'Settings Shop');
    const page = await open();
    await signIn(page, other.sk, '/dashboard/developers');
    const delay = page.getByLabel('Delay before settling (ms)');
    await delay.waitFor();
    // Meanwhile, through the API: the page still shows the old origins.
    expect((await other.api.patch('/auth/settings', { checkout: { allowed_origins: ['https://shop.example'] } })).status).toBe(200);
    await delay.fill('4321');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await eventually(() => other.api.get('/auth/me'), (r) => r.body.settings.auto_process.delay_ms === 4321);
    expect((await other.api.get('/auth/me')).body.settings.checkout.allowed_origins).toEqual(['https://shop.example']);
    expect(scriptErrors(page)).toEqual([]);
  });

  it('offers "Simulate an outcome" only while a payment can still change, with the outcomes its status allows', async () => {
    const done = await createPayment(shop.api);
    expect(done.status).toBe('success');
    const waiting = await createPayment(shop.api, cardBody(CARDS.stayPending));
    expect(waiting.status).toBe('pending');
    const simulateHeading = (page: Page) => page.getByRole('heading', { name: 'Simulate an outcome' });

    const page = await open();
    await signIn(page, shop.sk, `/dashboard/payments/${done.id}`);
    await heading(page).filter({ hasText: done.id }).waitFor();
    await page.getByRole('heading', { name: 'Refund', exact: true }).waitFor();
    expect(await simulateHeading(page).count()).toBe(0);

    await page.goto(`${sys.url}/dashboard/payments/${waiting.id}`);
    await simulateHeading(page).waitFor();
    const outcome = page.getByLabel('Outcome');
    expect(await outcome.locator('option').allInnerTexts()).toEqual(['Success', 'Failed', 'Authorized', 'Expired']);
    await outcome.selectOption('authorized');
    await page.getByRole('button', { name: 'Simulate', exact: true }).click();
    await heading(page).locator('.badge', { hasText: 'authorized' }).waitFor();
    expect(await outcome.locator('option').allInnerTexts()).toEqual(['Success', 'Failed', 'Expired']);
    await outcome.selectOption('expired');
    await page.getByRole('button', { name: 'Simulate', exact: true }).click();
    await page.getByText('This payment is expired, which is final').waitFor();
    expect(await simulateHeading(page).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(scriptErrors(page)).toEqual([]);
  });

  it("the charts' time labels keep apart", async () => {
    const page = await open();
    // Records the labels uPlot draws on each canvas since that canvas was last cleared.
    await page.addInitScript(`(() => {
      const drawn = (window.__drawn = new Map());
      const P = CanvasRenderingContext2D.prototype, fillText = P.fillText, clearRect = P.clearRect;
      P.clearRect = function (x, y, w, h) {
        if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) drawn.set(this.canvas, []);
        return clearRect.call(this, x, y, w, h);
      };
      P.fillText = function (text, x, y, ...rest) {
        const m = this.getTransform();
        if (this.textAlign === 'center' && m.b === 0 && m.c === 0) {
          const list = drawn.get(this.canvas) ?? [];
          list.push({ text: String(text), x, y, width: this.measureText(String(text)).width });
          drawn.set(this.canvas, list);
        }
        return fillText.call(this, text, x, y, ...rest);
      };
    })()`);
    await signIn(page, shop.sk);
    await heading(page).filter({ hasText: 'Home' }).waitFor();
    await page.locator('.chart-box canvas').nth(1).waitFor();
    // Each chart's x-axis labels, line by line (a label may have a second line), left to right:
    // the free space between neighbours. Polled from outside: the page's CSP refuses the eval
    // that waitForFunction needs.
    const gaps = await eventually(() => page.evaluate(`(() => {
      const charts = [...document.querySelectorAll('.chart-box canvas')].map((c) => (window.__drawn.get(c) ?? []).filter((l) => /[0-9]/.test(l.text)));
      if (charts.length < 2 || charts.some((labels) => labels.length < 2)) return false;
      return charts.flatMap((labels) => [...new Set(labels.map((l) => l.y))].flatMap((y) => {
        const line = labels.filter((l) => l.y === y).sort((a, b) => a.x - b.x);
        return line.slice(1).map((l, i) => ({ between: line[i].text + ' | ' + l.text, gap: Math.round((l.x - l.width / 2) - (line[i].x + line[i].width / 2)) }));
      }));
    })()`) as Promise<Array<{ between: string; gap: number }> | false>, (v) => v !== false, WAIT_MS);
    if (!gaps) throw new Error('no chart labels drawn');
    expect(gaps.length).toBeGreaterThan(0);
    for (const g of gaps) expect(g.gap, `${g.between}: ${g.gap} px apart`).toBeGreaterThanOrEqual(8);
    expect(scriptErrors(page)).toEqual([]);
  });
});

describe('operator dashboard', () => {
  it('replays the dead-letter queue from the page, and manages tenants', async () => {
    receiver.respond = () => ({ status: 503, body: 'down' });
    const t = await registerTenant(sys.url, 'Operator Case');
    await t.api.post('/webhook-endpoints', { url: `${receiver.url}/op`, events: ['payment.success'] });
    await createPayment(t.api);
    const dead = await eventually(() => t.api.get('/webhook-deliveries?status=dead'), (r) => r.body.data.length === 1);
    const id = dead.body.data[0].id;

    const page = await open();
    await signIn(page, ADMIN_TOKEN, '/dashboard/operator');
    await heading(page).filter({ hasText: 'Operator overview' }).waitFor();
    await page.locator('.chart-box canvas').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);

    receiver.respond = () => ({ status: 200, body: 'ok' });
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const row = page.locator(`tr[data-delivery-id="${id}"]`);
    await row.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await row.getByRole('button', { name: 'Replay' }).click();
    await eventually(() => t.api.get(`/webhook-deliveries/${id}`), (r) => r.body.status === 'delivered');
    await row.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByLabel('Name, email or id').fill('Operator Case');
    await page.getByRole('button', { name: 'Search' }).click();
    const card = page.locator(`[data-tenant-id="${t.id}"]`);
    await card.waitFor();
    page.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: 'Disable Operator Case' }).click();
    await card.getByRole('button', { name: 'Enable Operator Case' }).waitFor();
    expect((await t.api.get('/payments')).status).toBe(403);
    await card.getByRole('button', { name: 'Enable Operator Case' }).click();
    await card.getByRole('button', { name: 'Verify audit' }).click();
    await card.getByText(/verified, \d+ rows/).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${sys.url}/dashboard/payments`);
    await heading(page).filter({ hasText: '403' }).waitFor();
    expect(scriptErrors(page)).toEqual([]);
  });
});

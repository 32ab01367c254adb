import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { eventually } from '../../support/payments.ts';
import { stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * The 3-D Secure challenge page behind a PaymentIntent's next_action: opened and answered with
 * the intent's client secret, it settles or fails the pending payment and sends the payer back
 * to return_url with Stripe's three parameters.
 */
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;
const SHOP = 'Challenge Shop';
const OTHER = 'Other Shop';

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url, SHOP);
  stripe = stripeSdk(sys.url, t.sk);
});
afterAll(async () => {
  await sys?.stop();
});

async function challenged(params: Partial<Stripe.PaymentIntentCreateParams> = {}, client = stripe) {
  const pi = await client.paymentIntents.create({
    amount: 4200, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: 'https://shop.example/back?order=7', ...params,
  });
  expect(pi.status).toBe('requires_action');
  const url = pi.next_action?.redirect_to_url?.url ?? (pi.next_action?.use_stripe_sdk as { stripe_js: string } | undefined)?.stripe_js;
  return { pi, url: new URL(url!) };
}

const post = (url: URL, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${url.origin}${url.pathname}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });

describe('the 3-D Secure challenge page', () => {
  it('next_action points at a page Sandpay serves (not /v1), showing merchant, amount, card and the two buttons', async () => {
    const { pi, url } = await challenged();
    expect(url.pathname).toBe(`/stripe/challenge/${pi.id}`);
    expect(url.searchParams.get('client_secret')).toBe(pi.client_secret);
    const res = await fetch(url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('content-security-policy')).toMatch(/form-action 'self' https:\/\/shop\.example/);
    const html = await res.text();
    expect(html).toContain(SHOP);
    expect(html).toContain('$42.00');
    expect(html).toMatch(/visa card ending in 3220/i);
    expect(html).toMatch(/<button type="submit"[^>]*value="complete">Complete authentication<\/button>/);
    expect(html).toMatch(/<button type="submit"[^>]*value="fail">Fail authentication<\/button>/);
  });

  it('Complete: 303 to return_url (its own query kept) with the three parameters; the intent succeeded; payment_intent.succeeded is an event', async () => {
    const { pi, url } = await challenged();
    const res = await post(url, { client_secret: pi.client_secret!, outcome: 'complete' });
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe('https://shop.example/back');
    expect(Object.fromEntries(back.searchParams)).toEqual({ order: '7', payment_intent: pi.id, payment_intent_client_secret: pi.client_secret, redirect_status: 'succeeded' });
    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({ status: 'succeeded', amount_received: 4200, next_action: null, last_payment_error: null });
    const events = await eventually(() => stripe.events.list({ type: 'payment_intent.succeeded', limit: 100 }), (l) => l.data.some((e) => (e.data.object as { id: string }).id === pi.id));
    expect(events.data.some((e) => (e.data.object as { id: string }).id === pi.id)).toBe(true);
  });

  it('Complete with manual capture: requires_capture', async () => {
    const { pi, url } = await challenged({ capture_method: 'manual' });
    const res = await post(url, { client_secret: pi.client_secret!, outcome: 'complete' });
    expect(new URL(res.headers.get('location')!).searchParams.get('redirect_status')).toBe('succeeded');
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_capture');
  });

  it('Fail: redirect_status=failed; the intent requires_payment_method with payment_intent_authentication_failure', async () => {
    const { pi, url } = await challenged();
    const res = await post(url, { client_secret: pi.client_secret!, outcome: 'fail' });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!).searchParams.get('redirect_status')).toBe('failed');
    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error?.code).toBe('payment_intent_authentication_failure');
  });

  it('without a return_url (use_stripe_sdk): a done page says the result', async () => {
    const { pi, url } = await challenged({ return_url: undefined });
    expect(pi.next_action?.type).toBe('use_stripe_sdk');
    const res = await post(url, { client_secret: pi.client_secret!, outcome: 'complete' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Authentication complete');
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('return_url must be http(s): javascript: and data: are Stripe\'s 400 on return_url, and a stored one never reaches a Location or a link', async () => {
    for (const bad of ['javascript:alert(document.domain)', 'data:text/html,<script>alert(1)</script>', 'ftp://shop.example/back']) {
      const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const err = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_threeDSecure2Required', return_url: bad }).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect((err as Stripe.errors.StripeError).param).toBe('return_url');
      const created = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', return_url: bad, payment_method: 'pm_card_visa', confirm: true }).catch((e: unknown) => e);
      expect((created as Stripe.errors.StripeError).param).toBe('return_url');
      expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');
    }
    // A row stored before the rule (written here straight to the table): the page answers, the redirect and the link do not follow it.
    const { pi, url } = await challenged();
    await sys.sql('UPDATE stripe_intents SET return_url = $1 WHERE client_secret = $2', ['javascript:alert(document.domain)', pi.client_secret]);
    const page = await fetch(`${url.origin}${url.pathname}?client_secret=${pi.client_secret}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).not.toContain('null');
    const done = await post(url, { client_secret: pi.client_secret!, outcome: 'complete' });
    expect(done.status).toBe(200);
    expect(done.headers.get('location')).toBeNull();
    const text = await done.text();
    expect(text).toContain('Authentication complete');
    expect(text).not.toContain('javascript:');
    const again = await post(url, { client_secret: pi.client_secret!, outcome: 'complete' });
    expect(again.status).toBe(409);
    expect(await again.text()).not.toContain('javascript:');
  });

  it('pages answer odd query strings in words, never JSON: a repeated or overlong field, an overlong id', async () => {
    const { pi, url } = await challenged();
    const s = await stripe.checkout.sessions.create({ mode: 'payment', success_url: 'https://shop.example/ok', line_items: [{ price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Pen' } }, quantity: 1 }] });
    const long = 'x'.repeat(400);
    const pages = [
      `${url.origin}${url.pathname}?client_secret=${pi.client_secret}&client_secret=${pi.client_secret}`,
      `${url.origin}${url.pathname}?client_secret=${long}`,
      `${url.origin}/stripe/challenge/pi_${long}?client_secret=x`,
      `${sys.url}/stripe/elements/frame?key=${t.pk}&origin=https://a.example&origin=https://b.example`,
      `${sys.url}/stripe/elements/frame?key=${long}&origin=${long}`,
      `${sys.url}/stripe/elements/return?origin=https://a.example&origin=https://b.example`,
      `${sys.url}/stripe/checkout/cs_test_${long}`,
      `${s.url}?x=1&x=2`,
    ];
    for (const page of pages) {
      const res = await fetch(page);
      expect(res.headers.get('content-type'), page).toMatch(/^text\/html/);
      expect(res.status, page).toBeLessThan(500);
      const text = await res.text();
      expect(text, page).toMatch(/^<!doctype html>/i);
    }
    const posted = await fetch(`${url.origin}${url.pathname}`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_secret=${pi.client_secret}&client_secret=${pi.client_secret}&outcome=complete`,
    });
    expect(posted.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_action');
  });

  it('a wrong or missing secret is a human page (404/401) without the intent, and changes nothing', async () => {
    const { pi, url } = await challenged();
    const wrong = await fetch(`${url.origin}${url.pathname}?client_secret=${pi.id}_secret_wrongwrongwrongwrongwron`);
    expect(wrong.status).toBe(404);
    const text = await wrong.text();
    expect(text).toContain('This authentication link is not valid');
    expect(text).not.toContain('42.00');
    expect(text).not.toContain(SHOP);
    expect((await fetch(`${url.origin}${url.pathname}`)).status).toBe(401);
    expect((await post(url, { client_secret: 'pi_x_secret_y', outcome: 'complete' })).status).toBe(404);
    expect((await post(url, { outcome: 'complete' })).status).toBe(401);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_action');
  });

  it('a second answer is refused in words ("no longer needs authentication"), with the way back', async () => {
    const { pi, url } = await challenged();
    expect((await post(url, { client_secret: pi.client_secret!, outcome: 'complete' })).status).toBe(303);
    const again = await post(url, { client_secret: pi.client_secret!, outcome: 'fail' });
    expect(again.status).toBe(409);
    const html = await again.text();
    expect(html).toContain('This payment no longer needs authentication');
    expect(html).toContain('redirect_status=succeeded');
    const page = await fetch(url);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('no longer needs authentication');
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it("another origin's POST is refused", async () => {
    const { pi, url } = await challenged();
    const res = await post(url, { client_secret: pi.client_secret!, outcome: 'complete' }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_action');
  });

  it("another tenant's intent is not shown: its page needs its own secret, and its id is 404 through this tenant's key", async () => {
    const other = await registerTenant(sys.url, OTHER);
    const { pi, url } = await challenged({}, stripeSdk(sys.url, other.sk));
    const mine = await challenged();
    const mixed = await fetch(`${url.origin}${url.pathname}?client_secret=${encodeURIComponent(mine.pi.client_secret!)}`);
    expect(mixed.status).toBe(404);
    expect(await mixed.text()).not.toContain(OTHER);
    await expect(stripe.paymentIntents.retrieve(pi.id)).rejects.toMatchObject({ statusCode: 404 });
    // Its own secret shows its own merchant, not this one.
    const own = await (await fetch(url)).text();
    expect(own).toContain(OTHER);
    expect(own).not.toContain(`>${SHOP}<`);
  });
});

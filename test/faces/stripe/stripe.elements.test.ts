import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/**
 * The Stripe.js stand-in over HTTP: the publishable key does what Stripe.js needs (a card
 * PaymentMethod, an intent reached by its client_secret) and nothing else, in Stripe's error
 * shape; a page's Origin must be in checkout.allowed_origins; /v3/ and the Element's frame are
 * served as a page on another origin needs them.
 */
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;
const SHOP = 'https://shop.example';

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url, 'Elements Shop');
  stripe = stripeSdk(sys.url, t.sk);
  await t.api.patch('/auth/settings', { checkout: { allowed_origins: [SHOP] } });
});
afterAll(async () => {
  await sys?.stop();
});

/** A call as Stripe.js makes it: the publishable key, a form body, the page's Origin. */
async function pk(method: 'GET' | 'POST', path: string, form: Record<string, string> = {}, opts: { key?: string; origin?: string | null } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.key ?? t.pk}` };
  if (opts.origin !== null) headers.origin = opts.origin ?? SHOP;
  const query = method === 'GET' && Object.keys(form).length ? `?${new URLSearchParams(form)}` : '';
  if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(`${sys.url}${path}${query}`, { method, headers, body: method === 'POST' ? new URLSearchParams(form) : undefined });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

const card = (number: string) => ({ type: 'card', 'card[number]': number, 'card[exp_month]': '12', 'card[exp_year]': '2034', 'card[cvc]': '123' });

describe('the publishable key on Stripe\'s API', () => {
  it('may not list, create, capture or cancel PaymentIntents, nor read other objects: a 403 in Stripe\'s error shape', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    for (const [method, path] of [
      ['GET', '/v1/payment_intents'], ['POST', '/v1/payment_intents'], ['POST', `/v1/payment_intents/${pi.id}/capture`], ['POST', `/v1/payment_intents/${pi.id}/cancel`],
      ['POST', `/v1/payment_intents/${pi.id}`], ['GET', '/v1/charges'], ['GET', '/v1/customers'], ['POST', '/v1/refunds'],
    ] as const) {
      const res = await pk(method, path, method === 'POST' && path === '/v1/payment_intents' ? { amount: '1000', currency: 'usd' } : {});
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'secret_key_required' });
      expect(res.body.error.message).toMatch(/secret key/);
    }
    // The official SDK given a publishable key sees Stripe's permission error class.
    const err = await stripeSdk(sys.url, t.pk).paymentIntents.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');
  });

  it('retrieves an intent only with its client_secret, and confirms it with that secret', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur' });
    const missing = await pk('GET', `/v1/payment_intents/${pi.id}`);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing', param: 'client_secret' });
    const wrong = await pk('GET', `/v1/payment_intents/${pi.id}`, { client_secret: `${pi.id}_secret_nottherightone` });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'payment_intent_invalid_parameter', param: 'client_secret' });
    // Another intent's secret opens nothing either.
    const other = await stripe.paymentIntents.create({ amount: 100, currency: 'eur' });
    expect((await pk('GET', `/v1/payment_intents/${pi.id}`, { client_secret: other.client_secret! })).status).toBe(400);

    const got = await pk('GET', `/v1/payment_intents/${pi.id}`, { client_secret: pi.client_secret! });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: pi.id, object: 'payment_intent', amount: 2500, status: 'requires_payment_method', client_secret: pi.client_secret });

    expect((await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, { payment_method: 'pm_card_visa' })).body.error).toMatchObject({ code: 'parameter_missing' });
    const refused = await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, payment_method: 'pm_card_visa', capture_method: 'manual' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.param).toBe('capture_method');
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');

    const pm = await pk('POST', '/v1/payment_methods', card('4242424242424242'));
    expect(pm.status).toBe(200);
    expect(pm.body).toMatchObject({ object: 'payment_method', type: 'card', card: { last4: '4242', brand: 'visa' } });
    const confirmed = await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, payment_method: pm.body.id });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id: pi.id, status: 'succeeded', payment_method: pm.body.id });
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('sees only the client-safe fields of an intent (retrieve, confirm, a 402), and may not expand', async () => {
    const customer = await stripe.customers.create({ email: 'private@example.com', name: 'Private Person' });
    const pi = await stripe.paymentIntents.create({ amount: 1800, currency: 'usd', customer: customer.id, description: 'Order 9', metadata: { internal: 'secret-note' }, statement_descriptor: 'SHOPNAME' });
    const SAFE = ['id', 'object', 'amount', 'automatic_payment_methods', 'canceled_at', 'cancellation_reason', 'capture_method', 'client_secret', 'confirmation_method', 'created',
      'currency', 'description', 'last_payment_error', 'livemode', 'next_action', 'payment_method', 'payment_method_types', 'processing', 'receipt_email', 'setup_future_usage', 'shipping', 'status'];
    const onlySafe = (o: Record<string, unknown>) => {
      for (const k of Object.keys(o)) expect(SAFE, `field ${k}`).toContain(k);
      expect(JSON.stringify(o)).not.toContain('secret-note');
      expect(JSON.stringify(o)).not.toContain(customer.id);
    };
    const got = await pk('GET', `/v1/payment_intents/${pi.id}`, { client_secret: pi.client_secret! });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: pi.id, amount: 1800, status: 'requires_payment_method', client_secret: pi.client_secret });
    onlySafe(got.body);
    const expanded = await pk('GET', `/v1/payment_intents/${pi.id}`, { client_secret: pi.client_secret!, 'expand[]': 'customer' });
    expect(expanded.status).toBe(400);
    expect(expanded.body.error).toMatchObject({ type: 'invalid_request_error', param: 'expand' });
    expect(JSON.stringify(expanded.body)).not.toContain('private@example.com');
    const confirmExpand = await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, payment_method: 'pm_card_visa', 'expand[]': 'customer' });
    expect(confirmExpand.status).toBe(400);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');

    const declined = await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, payment_method: 'pm_card_chargeDeclined' });
    expect(declined.status).toBe(402);
    expect(declined.body.error.payment_intent).toMatchObject({ id: pi.id, status: 'requires_payment_method' });
    onlySafe(declined.body.error.payment_intent);
    // A saved card's metadata stays the secret key's too.
    const saved = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_chargeDeclined' }, metadata: { internal: 'secret-note' } });
    await stripe.paymentMethods.attach(saved.id, { customer: customer.id });
    const declinedSaved = await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, payment_method: saved.id });
    expect(declinedSaved.status).toBe(402);
    expect(declinedSaved.body.error.payment_method).toMatchObject({ id: saved.id, card: { last4: '0002' } });
    expect(JSON.stringify(declinedSaved.body)).not.toContain('secret-note');
    const confirmed = await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, payment_method: 'pm_card_visa' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('succeeded');
    onlySafe(confirmed.body);
    // The secret key still reads the whole intent, expanded.
    const full = await stripe.paymentIntents.retrieve(pi.id, { expand: ['customer'] });
    expect(full.metadata).toEqual({ internal: 'secret-note' });
    expect((full.customer as Stripe.Customer).email).toBe('private@example.com');
  });

  it("may not spend another customer's saved card on an intent", async () => {
    const alice = await stripe.customers.create({ email: 'alice@example.com' });
    const bob = await stripe.customers.create({ email: 'bob@example.com' });
    const saved = await stripe.paymentMethods.attach((await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } })).id, { customer: alice.id });
    for (const customer of [bob.id, undefined]) {
      const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', ...(customer ? { customer } : {}) });
      const res = await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, payment_method: saved.id });
      expect(res.status, String(customer)).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'payment_method' });
      expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');
    }
    const own = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: alice.id });
    const ok = await pk('POST', `/v1/payment_intents/${own.id}/confirm`, { client_secret: own.client_secret!, payment_method: saved.id });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('succeeded');
  });

  it('answers a decline as Stripe\'s 402 card_error with the intent', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd' });
    const res = await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, payment_method: 'pm_card_chargeDeclined' });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', payment_intent: { id: pi.id, status: 'requires_payment_method' } });
  });

  it('refuses a page whose origin the tenant does not allow, and answers CORS from any origin', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    for (const [method, path, form] of [
      ['POST', '/v1/payment_methods', card('4242424242424242')],
      ['GET', `/v1/payment_intents/${pi.id}`, { client_secret: pi.client_secret! }],
      ['POST', `/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, payment_method: 'pm_card_visa' }],
    ] as const) {
      const res = await pk(method, path, form, { origin: 'https://evil.example' });
      expect(res.status, path).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'origin_not_allowed' });
      // With allowed origins set, a call without any Origin is not a browser's: refused too.
      expect((await pk(method, path, form, { origin: null })).status, path).toBe(403);
    }
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');

    const preflight = await fetch(`${sys.url}/v1/payment_intents/${pi.id}/confirm`, {
      method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const allowed = await pk('GET', `/v1/payment_intents/${pi.id}`, { client_secret: pi.client_secret! });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    // Only Stripe.js's paths: the rest of the API still answers no other origin.
    const list = await fetch(`${sys.url}/v1/payment_intents`, { headers: { origin: SHOP, authorization: `Bearer ${t.sk}` } });
    expect(list.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('3-D Secure in Stripe.js\'s overlay', () => {
  it('the challenge page may be framed by the page named in the overlay\'s return_url when the tenant allows it, else by none', async () => {
    const frameAncestors = async (origin: string) => {
      const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const res = await pk('POST', `/v1/payment_intents/${pi.id}/confirm`, {
        client_secret: pi.client_secret!, payment_method: 'pm_card_threeDSecure2Required', return_url: `${sys.url}/stripe/elements/return?origin=${encodeURIComponent(origin)}`,
      });
      expect(res.body.status).toBe('requires_action');
      const page = await fetch(res.body.next_action.redirect_to_url.url);
      expect(page.status).toBe(200);
      return { csp: page.headers.get('content-security-policy')!, xfo: page.headers.get('x-frame-options') };
    };
    const allowed = await frameAncestors(SHOP);
    expect(allowed.csp).toMatch(/frame-ancestors https:\/\/shop\.example(;|$)/);
    expect(allowed.xfo).toBeNull();
    const other = await frameAncestors('https://evil.example');
    expect(other.csp).toMatch(/frame-ancestors 'none'/);
    // An ordinary return_url: a full page, never framed.
    const plain = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: `${SHOP}/back` });
    expect((await fetch(plain.next_action!.redirect_to_url!.url!)).headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);

    // The return page tells only the origin it names, and may be framed only by it.
    const back = await fetch(`${sys.url}/stripe/elements/return?origin=${encodeURIComponent(SHOP)}&payment_intent=pi_x&redirect_status=succeeded`);
    expect(back.headers.get('content-security-policy')).toMatch(/frame-ancestors https:\/\/shop\.example(;|$)/);
    expect(await back.text()).toMatch(/data-origin="https:\/\/shop\.example"[^>]*data-redirect-status="succeeded"/);
  });
});

describe('/v3/ and the card Element\'s frame', () => {
  it('serves the script at /v3/ and /v3 for other origins\' pages', async () => {
    for (const path of ['/v3/', '/v3']) {
      const res = await fetch(`${sys.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      const text = await res.text();
      expect(text).toMatch(/window\.Stripe = Stripe/);
      // ES2017: no optional chaining or nullish coalescing for older browsers.
      expect(text).not.toMatch(/\?\.|\?\?/);
    }
  });

  it('frames the card form only for an allowed origin, with the checkout\'s labels', async () => {
    const frame = (q: Record<string, string>) => fetch(`${sys.url}/stripe/elements/frame?${new URLSearchParams({ key: t.pk, type: 'card', id: 'el1', ...q })}`);
    const ok = await frame({ origin: SHOP });
    expect(ok.status).toBe(200);
    const csp = ok.headers.get('content-security-policy')!;
    expect(csp).toMatch(/frame-ancestors https:\/\/shop\.example(;|$)/);
    expect(csp).toMatch(/script-src 'self'/);
    expect(ok.headers.get('x-frame-options')).toBeNull();
    const html = await ok.text();
    for (const label of ['Card number', 'Expiry', 'CVC']) expect(html).toMatch(new RegExp(`<label for="[a-z-]+">${label}</label>`));
    expect(html).toContain('4242 4242 4242 4242');

    const other = await frame({ origin: 'https://evil.example' });
    expect(other.status).toBe(403);
    const text = await other.text();
    expect(text).toContain('does not allow that origin');
    expect(text).not.toContain('card-number');

    const badKey = await frame({ origin: SHOP, key: 'pk_test_nope' });
    expect(badKey.status).toBe(403);
    expect(await badKey.text()).toContain('publishable key is unknown');
    // A secret key in a page is refused too: the frame takes the publishable key only.
    expect((await frame({ origin: SHOP, key: t.sk })).status).toBe(403);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { cardBody } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;
beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
});
afterAll(() => sys?.stop());

const card = cardBody().card;

describe('POST /payments rejects bad input with 400 and the param', () => {
  it.each<[string, Record<string, unknown>, string, string?]>([
    ['negative amount', { amount: -1 }, 'amount', 'amount_too_small'],
    ['zero amount', { amount: 0 }, 'amount', 'amount_too_small'],
    ['float amount', { amount: 10.5 }, 'amount'],
    ['string amount', { amount: '5000' }, 'amount'],
    ['huge amount', { amount: 1e20 }, 'amount', 'amount_too_large'],
    ['unsafe integer amount', { amount: 2 ** 60 }, 'amount', 'amount_too_large'],
    ['missing amount', { amount: undefined }, 'amount', 'parameter_missing'],
    ['lower-case currency', { currency: 'inr' }, 'currency'],
    ['unknown currency', { currency: 'XYZ' }, 'currency'],
    ['missing currency', { currency: undefined }, 'currency', 'parameter_missing'],
    ['unknown method', { method: 'cash' }, 'method'],
    ['bad card number', { card: { ...card, number: '4242424242424241' } }, 'card.number', 'invalid_card_number'],
    ['real card number', { card: { ...card, number: '4111111111111111' } }, 'card.number', 'unknown_test_card'],
    ['bad expiry month', { card: { ...card, exp_month: 13 } }, 'card.exp_month'],
    ['expired card', { card: { ...card, exp_year: 2020 } }, 'card.exp_year'],
    ['short cvc', { card: { ...card, cvc: '1' } }, 'card.cvc'],
    ['unknown card field', { card: { ...card, pin: '1234' } }, 'card.pin', 'parameter_unknown'],
    ['missing card', { card: undefined }, 'card', 'parameter_missing'],
    ['vpa with card method', { vpa: 'x@y' }, 'vpa'],
    ['oversized metadata', { metadata: { blob: 'x'.repeat(501) } }, 'metadata.blob'],
    ['too many metadata keys', { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, 'metadata'],
    ['nested metadata', { metadata: { a: { b: 1 } } }, 'metadata.a'],
    ['metadata array', { metadata: [1, 2] }, 'metadata'],
    ['unknown field', { colour: 'red' }, 'colour', 'parameter_unknown'],
    ['bad email', { customer_email: 'nope' }, 'customer_email'],
    ['bad capture', { capture: 'later' }, 'capture'],
    ['bad country', { billing: { country: 'india' } }, 'billing.country'],
    ['bad webhook_url', { webhook_url: 'ftp://example.com' }, 'webhook_url'],
  ])('%s', async (_name, patch, param, code) => {
    const body = { ...cardBody(), ...patch };
    const res = await t.api.post('/payments', body, { idem: idemKey() });
    expectError(res, 400, { type: 'invalid_request_error', param, ...(code ? { code } : {}) });
    expect(res.body.error.message).not.toMatch(/Invalid input|received|Too (big|small)|NaN/);
    // A number too large is "too large", never "not a decimal".
    if (code === 'amount_too_large') expect(res.body.error.message).not.toMatch(/decimal/);
  });

  it('refuses a NUL character in text with 400 and its param, not a database error', async () => {
    expectError(await t.api.post('/payments', { ...cardBody(), description: 'a\u0000b' }, { idem: idemKey() }), 400, { code: 'parameter_invalid', param: 'description' });
    expectError(await t.api.post('/orders', { amount: 100, currency: 'INR', metadata: { note: '\u0000' } }), 400, { param: 'metadata.note' });
  });

  it('refuses metadata keys that would reach the prototype', async () => {
    for (const raw of ['{"__proto__": {"x": 1}}', '{"constructor": 1}', '{"prototype": "x"}']) {
      const body = JSON.stringify({ ...cardBody() }).replace(/}$/, `,"metadata":${raw}}`);
      expectError(await t.api.request('POST', '/payments', { rawBody: body, idem: idemKey() }), 400, { code: 'parameter_invalid' });
      expectError(await t.api.request('POST', '/orders', { rawBody: `{"amount":100,"currency":"INR","notes":${raw}}` }), 400, { code: 'parameter_invalid' });
    }
  });

  it('a UPI payment needs a well-formed VPA', async () => {
    expectError(await t.api.post('/payments', { amount: 1, currency: 'INR', method: 'upi', vpa: 'not a vpa' }, { idem: idemKey() }), 400, { param: 'vpa' });
    expectError(await t.api.post('/payments', { amount: 1, currency: 'INR', method: 'upi' }, { idem: idemKey() }), 400, { param: 'vpa', code: 'parameter_missing' });
  });

  it('rejects a body that is not an object', async () => {
    expectError(await t.api.post('/payments', [1, 2], { idem: idemKey() }), 400, { type: 'invalid_request_error' });
    expectError(await t.api.request('POST', '/payments', { rawBody: 'null', idem: idemKey() }), 400, { type: 'invalid_request_error' });
  });

  it('nothing is written for a rejected request', async () => {
    const count = async () => (await sys.sql('SELECT id FROM payments WHERE tenant_id = $1', [t.id])).length;
    expect(await count()).toBe(0);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['status=done', 'status'],
    ['created_gte=yesterday', 'created_gte'],
    ['starting_after=pay_doesnotexist', 'starting_after'],
    ['sort=asc', 'sort'],
  ])('GET /payments?%s answers 400 on %s', async (qs, param) => {
    expectError(await t.api.get(`/payments?${qs}`), 400, { param });
  });

  it('unknown and malformed ids are 404, never 500', async () => {
    for (const path of ['/payments/pay_x', '/payments/%E0%A4%A', '/payments/' + 'a'.repeat(300), '/refunds/nope', '/orders/order_1', '/events/evt_x']) {
      const res = await t.api.get(path);
      expect([400, 404], `${path}: ${res.text}`).toContain(res.status);
      expectError(res, res.status);
    }
  });
});

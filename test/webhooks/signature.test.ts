import { Webhook } from 'standardwebhooks';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '../../src/tenants/keys.ts';
import { signatureHeaders, signSimple } from '../../src/webhooks/signature.ts';
import { verifyWebhook } from '../../src/webhooks/verify.ts';

const secret = generateWebhookSecret();
const body = JSON.stringify({ id: 'evt_1', type: 'payment.success', created_at: '2026-01-01T00:00:00.000Z', data: { object: { id: 'pay_1', amount: 5000 } } });
const now = 1_790_000_000;
const headers = signatureHeaders(secret, 'evt_1', body, now);

describe('webhook signatures', () => {
  it('verify with Sandpay and with the standardwebhooks package', () => {
    expect(verifyWebhook(body, headers, secret, { now })).toEqual({ valid: true, scheme: 'standard', id: 'evt_1', timestamp: now });
    const wh = new Webhook(secret.slice('whsec_'.length));
    const stdHeaders = { 'webhook-id': headers['webhook-id'], 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': '' };
    stdHeaders['webhook-signature'] = signatureHeaders(secret, 'evt_1', body, Number(stdHeaders['webhook-timestamp']))['webhook-signature'];
    expect(wh.verify(body, stdHeaders)).toMatchObject({ id: 'evt_1' });
  });

  it('fail after a one-byte change, with the wrong secret, or with a signature of another payload', () => {
    const tampered = body.replace('5000', '5001');
    expect(verifyWebhook(tampered, headers, secret, { now }).valid).toBe(false);
    expect(verifyWebhook(body, headers, generateWebhookSecret(), { now }).valid).toBe(false);
    const other = signatureHeaders(secret, 'evt_1', JSON.stringify({ other: true }), now);
    expect(verifyWebhook(body, { ...headers, 'webhook-signature': other['webhook-signature'] }, secret, { now }).valid).toBe(false);
  });

  it('fail with an empty signature or missing id/timestamp', () => {
    expect(verifyWebhook(body, { ...headers, 'webhook-signature': '' }, secret, { now }).valid).toBe(false);
    expect(verifyWebhook(body, { 'webhook-signature': headers['webhook-signature'] }, secret, { now })).toEqual({ valid: false, scheme: 'standard', reason: 'standard scheme: missing webhook-id or webhook-timestamp' });
    expect(verifyWebhook(body, {}, secret, { now })).toEqual({ valid: false, scheme: 'standard', reason: 'standard scheme: no webhook-signature header' });
    expect(verifyWebhook(body, {}, secret, { scheme: 'simple' })).toEqual({ valid: false, scheme: 'simple', reason: 'simple scheme: no X-Sandpay-Signature header' });
  });

  it('fail outside the timestamp tolerance and accept inside it', () => {
    expect(verifyWebhook(body, headers, secret, { now: now + 301 })).toMatchObject({ valid: false, reason: expect.stringContaining('tolerance') });
    expect(verifyWebhook(body, headers, secret, { now: now - 299 }).valid).toBe(true);
    expect(verifyWebhook(body, headers, secret, { now: now + 1000, toleranceSec: 2000 }).valid).toBe(true);
  });

  it('accept any one of several space-separated signatures (rotation)', () => {
    const old = signatureHeaders(generateWebhookSecret(), 'evt_1', body, now)['webhook-signature'];
    expect(verifyWebhook(body, { ...headers, 'webhook-signature': `${old} ${headers['webhook-signature']}` }, secret, { now }).valid).toBe(true);
  });

  it('the simple scheme is a hex HMAC-SHA256 of the raw body keyed with the whole secret', () => {
    const expected = 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
    expect(signSimple(secret, body)).toBe(expected);
    expect(verifyWebhook(body, { 'x-sandpay-signature': expected }, secret, { scheme: 'simple' })).toMatchObject({ valid: true, scheme: 'simple' });
    expect(verifyWebhook(body + ' ', { 'x-sandpay-signature': expected }, secret, { scheme: 'simple' })).toEqual({ valid: false, scheme: 'simple', reason: 'simple scheme: X-Sandpay-Signature does not match' });
  });

  it('never falls back to the simple scheme when the standard headers are missing (downgrade)', () => {
    // A capture 5 minutes old: the standard check refuses its timestamp...
    const later = now + 301;
    expect(verifyWebhook(body, headers, secret, { now: later })).toMatchObject({ valid: false, scheme: 'standard', reason: expect.stringMatching(/^standard scheme: timestamp outside/) });
    // ...and deleting webhook-signature must not turn that into a pass.
    const { 'webhook-signature': _dropped, ...stripped } = headers;
    expect(verifyWebhook(body, stripped, secret, { now: later })).toEqual({ valid: false, scheme: 'standard', reason: 'standard scheme: no webhook-signature header' });
    expect(verifyWebhook(body, { 'x-sandpay-signature': headers['x-sandpay-signature'] }, secret, { now: later }).valid).toBe(false);
    // The simple scheme passes only when asked for by name, and a standard-only delivery fails it.
    expect(verifyWebhook(body, stripped, secret, { scheme: 'simple' })).toMatchObject({ valid: true, scheme: 'simple' });
    const { 'x-sandpay-signature': _simple, ...standardOnly } = headers;
    expect(verifyWebhook(body, standardOnly, secret, { scheme: 'simple', now })).toMatchObject({ valid: false, scheme: 'simple' });
    expect(() => verifyWebhook(body, headers, secret, { scheme: 'weak' as 'simple' })).toThrow(/standard' or 'simple/);
  });

  it('reads headers from a fetch Headers object, case-insensitively from a plain one', () => {
    expect(verifyWebhook(body, new Headers(headers), secret, { now }).valid).toBe(true);
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(Buffer.from(body), upper, secret, { now }).valid).toBe(true);
  });
});

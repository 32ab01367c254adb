/**
 * npm run verify-webhook
 *   Signs sample payloads with Sandpay's signer and checks Sandpay's verifier accepts the good
 *   one and rejects each forgery; prints PASS/FAIL per check and exits non-zero on any FAIL.
 *
 * npm run verify-webhook -- --secret whsec_... --body body.json --headers headers.json [--scheme simple]
 *   Verifies a captured delivery (the raw body bytes, and its headers as a JSON object or
 *   "Name: value" lines; `npm run webhook-receiver -- --save DIR` writes both) with the scheme
 *   asked for: standard (default, with its --tolerance in seconds) or simple. A missing header
 *   fails that scheme; it never falls back to the other one.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateWebhookSecret } from '../src/tenants/keys.ts';
import { signatureHeaders } from '../src/webhooks/signature.ts';
import { verifyWebhook, type Scheme } from '../src/webhooks/verify.ts';

function parseHeaders(text: string): Record<string, string> {
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return Object.fromEntries(
      text.split(/\r?\n/).filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
  }
}

function withoutStandardSignature(headers: Record<string, string>): Record<string, string> {
  const { 'webhook-signature': _dropped, ...rest } = headers;
  return rest;
}

function demo(): boolean {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ id: 'evt_demo', type: 'payment.success', created_at: new Date().toISOString(), data: { object: { id: 'pay_demo', object: 'payment', amount: 5000, currency: 'INR', status: 'success' } } });
  const headers = signatureHeaders(secret, 'evt_demo', body);
  const otherBody = body.replace('pay_demo', 'pay_other');
  const stale = signatureHeaders(secret, 'evt_demo', body, Math.floor(Date.now() / 1000) - 3600);
  const checks: Array<[string, boolean, boolean]> = [
    ['valid signature is accepted', verifyWebhook(body, headers, secret).valid, true],
    ['valid simple-scheme signature is accepted', verifyWebhook(body, { 'x-sandpay-signature': headers['x-sandpay-signature'] }, secret, { scheme: 'simple' }).valid, true],
    ['tampered body is rejected', verifyWebhook(body.replace('5000', '9000'), headers, secret).valid, false],
    ['wrong secret is rejected', verifyWebhook(body, headers, generateWebhookSecret()).valid, false],
    ['empty signature is rejected', verifyWebhook(body, { ...headers, 'webhook-signature': '' }, secret).valid, false],
    ['signature from another payload is rejected', verifyWebhook(body, { ...headers, 'webhook-signature': signatureHeaders(secret, 'evt_demo', otherBody)['webhook-signature'] }, secret).valid, false],
    ['timestamp outside tolerance is rejected', verifyWebhook(body, stale, secret).valid, false],
    ['stale delivery without webhook-signature is rejected (no fallback to the simple scheme)', verifyWebhook(body, withoutStandardSignature(stale), secret).valid, false],
  ];
  let ok = true;
  for (const [name, got, want] of checks) {
    const pass = got === want;
    ok &&= pass;
    console.log(`${pass ? 'PASS' : 'FAIL'}  ${name}`);
  }
  return ok;
}

function verifyCaptured(secret: string, bodyFile: string, headersFile: string, scheme: Scheme, toleranceSec: number): boolean {
  const result = verifyWebhook(readFileSync(bodyFile), parseHeaders(readFileSync(headersFile, 'utf8')), secret, { scheme, toleranceSec });
  console.log(result.valid ? `PASS  signature valid (${result.scheme} scheme, webhook-id ${result.id ?? 'n/a'})` : `FAIL  ${result.reason}`);
  return result.valid;
}

const { values } = parseArgs({
  options: {
    secret: { type: 'string' },
    body: { type: 'string' },
    headers: { type: 'string' },
    scheme: { type: 'string', default: 'standard' },
    tolerance: { type: 'string', default: '300' },
  },
});
const scheme = values.scheme;
const tolerance = Number(values.tolerance);
let ok: boolean;
if (scheme !== 'standard' && scheme !== 'simple') {
  console.error('--scheme must be standard or simple');
  ok = false;
} else if (!(Number.isInteger(tolerance) && tolerance >= 0)) {
  console.error('--tolerance must be whole seconds');
  ok = false;
} else if (values.secret || values.body || values.headers) {
  ok = values.secret && values.body && values.headers
    ? verifyCaptured(values.secret, values.body, values.headers, scheme, tolerance)
    : (console.error('--secret, --body and --headers go together'), false);
} else {
  ok = demo();
}
process.exit(ok ? 0 : 1);

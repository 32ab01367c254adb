/**
 * npm run verify-checkout
 *   Signs a sample checkout result and checks the verifier accepts it and rejects a tampered
 *   order id, payment id or signature and a wrong secret; prints PASS/FAIL per check.
 *
 * npm run verify-checkout -- --secret whsec_... --order-id order_... --payment-id pay_... --signature HEX
 *   Verifies the result a checkout handed your page (handler(result) or the success_url query):
 *   hex HMAC-SHA256 of "order_id|payment_id" keyed with the tenant's webhook secret.
 *   Exits 0 when it matches, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { signCheckoutResult, verifyCheckoutResult } from '../src/checkout/signature.ts';
import { generateWebhookSecret } from '../src/tenants/keys.ts';

function demo(): boolean {
  const secret = generateWebhookSecret();
  const good = { order_id: 'order_DemoDemoDemoDemo0001', payment_id: 'pay_DemoDemoDemoDemo00001' };
  const signature = signCheckoutResult(secret, good.order_id, good.payment_id);
  const flip = (s: string) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
  const checks: Array<[string, boolean, boolean]> = [
    ['valid result is accepted', verifyCheckoutResult(secret, { ...good, signature }), true],
    ['tampered payment_id is rejected', verifyCheckoutResult(secret, { ...good, payment_id: 'pay_OtherOtherOtherOther1', signature }), false],
    ['tampered order_id is rejected', verifyCheckoutResult(secret, { ...good, order_id: 'order_OtherOtherOtherOth1', signature }), false],
    ['tampered signature is rejected', verifyCheckoutResult(secret, { ...good, signature: flip(signature) }), false],
    ['wrong secret is rejected', verifyCheckoutResult(generateWebhookSecret(), { ...good, signature }), false],
    ['empty signature is rejected', verifyCheckoutResult(secret, { ...good, signature: '' }), false],
  ];
  let ok = true;
  for (const [name, got, want] of checks) {
    const pass = got === want;
    ok &&= pass;
    console.log(`${pass ? 'PASS' : 'FAIL'}  ${name}`);
  }
  return ok;
}

const { values } = parseArgs({
  options: { secret: { type: 'string' }, 'order-id': { type: 'string' }, 'payment-id': { type: 'string' }, signature: { type: 'string' } },
});
const given = [values.secret, values['order-id'], values['payment-id'], values.signature];
let ok: boolean;
if (given.every((v) => v === undefined)) ok = demo();
else if (given.some((v) => v === undefined)) {
  console.error('--secret, --order-id, --payment-id and --signature go together');
  ok = false;
} else {
  ok = verifyCheckoutResult(values.secret!, { order_id: values['order-id']!, payment_id: values['payment-id']!, signature: values.signature! });
  console.log(ok ? 'PASS  signature valid' : 'FAIL  signature does not match this order_id, payment_id and secret');
}
process.exit(ok ? 0 : 1);

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signed result a checkout hands the merchant's page: hex HMAC-SHA256 of
 * "order_id|payment_id", keyed with the tenant's whole webhook secret string ("whsec_..."), as
 * the simple X-Sandpay-Signature scheme is, so
 *   printf '%s' "$ORDER|$PAY" | openssl dgst -sha256 -hmac "$WHSEC"
 * reproduces it. The merchant's server recomputes it before trusting the ids.
 */
export function signCheckoutResult(webhookSecret: string, orderId: string, paymentId: string): string {
  return createHmac('sha256', webhookSecret).update(`${orderId}|${paymentId}`).digest('hex');
}

export function verifyCheckoutResult(webhookSecret: string, r: { order_id: string; payment_id: string; signature: string }): boolean {
  const expected = Buffer.from(signCheckoutResult(webhookSecret, r.order_id, r.payment_id), 'hex');
  const given = Buffer.from(/^[0-9a-f]{64}$/i.test(r.signature) ? r.signature : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

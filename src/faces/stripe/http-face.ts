import type { HttpFace } from '../../routing/face.ts';
import { decodeForm, decodeQuery } from './decode.ts';
import { stripeErrorReply, stripeErrorSchema, stripeStatus } from './errors.ts';

/** The API version stripe-node 23 pins; answered when a client sends none. */
export const API_VERSION = '2026-11-18.endive';

/**
 * Stripe's API as Sandpay serves it: /v1 requests that carry a Bearer key (stripe-node sends
 * `Authorization: Bearer sk_test_…`; Razorpay's SDK sends HTTP Basic, so the two share /v1 and
 * the credential tells them apart). Its routes take Sandpay's own keys: the secret key is the
 * Stripe secret key, restricted keys (`rk_test_…`) and service tokens keep their permissions.
 * Bodies are forms (`a[b][0]=x`), every answer carries Request-Id and Stripe-Version, a POST's
 * Idempotency-Key is echoed, and errors are Stripe's.
 */
export const stripeHttpFace: HttpFace = {
  name: 'stripe',
  claims: (req) => /^\/v1(\/|$)/.test(req.path) && /^Bearer\s/i.test(req.header('authorization') ?? ''),
  decode: { form: decodeForm, query: decodeQuery },
  answerHeaders(req, requestId) {
    const key = req.header('idempotency-key');
    return { 'Request-Id': requestId, 'Stripe-Version': req.header('stripe-version') || API_VERSION, ...(key ? { 'Idempotency-Key': key } : {}) };
  },
  // stripe-node retries a 5xx unless told not to: say so only where a retry cannot charge twice.
  faultHeaders: (retrySafe) => ({ 'Stripe-Should-Retry': String(retrySafe) }),
  status: stripeStatus,
  errorReply: (err) => stripeErrorReply(err),
  errorSchema: stripeErrorSchema,
  security: {
    name: 'stripeKey',
    scheme: { type: 'http', scheme: 'bearer', description: 'The secret key (sk_test_…) or a restricted key (rk_test_…), as stripe-node sends it: Stripe\'s API under /v1' },
  },
  idempotencyKey: true,
  documented: false,
};

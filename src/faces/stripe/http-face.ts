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
/** Paths under /v1 that only Stripe's API has (Razorpay's share /v1/refunds). */
const STRIPE_ONLY = /^\/v1\/(payment_intents|charges|customers|payment_methods|products|prices|webhook_endpoints|events|checkout)(\/|$)/;

/** `curl -u sk_test_…:` sends the key as HTTP Basic's user name: the same key as a Bearer. */
function basicKey(authorization: string | undefined): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  const user = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':')[0]! : '';
  return /^(sk|rk)_test_/.test(user) ? user : null;
}

export const stripeHttpFace: HttpFace = {
  name: 'stripe',
  claims(req) {
    // The 3-D Secure challenge page (routes/challenge.ts) and a Checkout Session's hosted page
    // (routes/checkout-sessions.ts): pages, not /v1, but the face's own form posts.
    if (/^\/stripe\/(challenge|checkout)\//.test(req.path)) return true;
    // The Stripe.js stand-in (routes/elements.ts): /v3/ as js.stripe.com serves it, and its Element's pages.
    if (/^\/v3\/?$/.test(req.path) || /^\/stripe\/elements\//.test(req.path)) return true;
    if (!/^\/v1(\/|$)/.test(req.path)) return false;
    const authorization = req.header('authorization');
    if (authorization === undefined) return STRIPE_ONLY.test(req.path);
    return /^Bearer\s/i.test(authorization) || basicKey(authorization) !== null;
  },
  bearerOf: (authorization) => {
    const key = basicKey(authorization);
    return key === null ? undefined : `Bearer ${key}`;
  },
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
  // What Stripe.js calls from the merchant's page with the publishable key (browser-keys.ts).
  browserPaths: /^\/v1\/(payment_intents\/[^/]+(\/confirm)?|payment_methods)$/,
  idempotencyKey: true,
  documented: false,
};

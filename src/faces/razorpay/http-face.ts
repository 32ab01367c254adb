import { forbidden, unauthenticated } from '../../core/errors.ts';
import { KIND_TO_HTTP } from '../../routing/errors.ts';
import type { HttpFace } from '../../routing/face.ts';
import { razorpayErrorBody, razorpayErrorSchema, razorpayStatus } from './errors.ts';
import { authenticateRazorpayKey } from './keys.ts';

/**
 * Razorpay's API as Sandpay serves it: everything under /v1 and /v2 (until a face that claims /v1 requests
 * by their credential, such as Stripe's Bearer keys, is listed before it); HTTP Basic
 * `key_id:key_secret` of a Razorpay key pair, which acts as the tenant's secret key; Razorpay's
 * error statuses and shape; no Idempotency-Key.
 */
export const razorpayHttpFace: HttpFace = {
  name: 'razorpay',
  // /v2 too: the SDK calls a few methods there (Sandpay serves none of them), and they answer in Razorpay's shape.
  claims: (req) => /^\/v[12](\/|$)/.test(req.path),
  async authenticate(svc, authorization) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthenticated('missing_api_key', 'Please provide your api key for authentication purposes.');
    const result = await authenticateRazorpayKey(svc.db, svc.keys, decoded.slice(0, colon), decoded.slice(colon + 1));
    if (!result.ok) {
      throw unauthenticated(result.reason === 'unknown_key' ? 'invalid_api_key' : 'invalid_api_secret',
        result.reason === 'unknown_key' ? 'The api key provided is invalid' : 'Authentication failed');
    }
    if (result.tenant.disabled) throw forbidden('tenant_disabled', 'This account has been disabled by the operator');
    return { tenant: result.tenant, keyId: result.keyRowId, keyType: 'secret', faceKeyId: result.keyRowId };
  },
  status: razorpayStatus,
  errorReply: (err) => ({ status: razorpayStatus(KIND_TO_HTTP[err.kind].status), body: razorpayErrorBody(err) }),
  errorSchema: razorpayErrorSchema,
  security: {
    name: 'razorpayKey',
    scheme: { type: 'http', scheme: 'basic', description: 'A Razorpay key pair, key_id (rzp_test_…) as the user and key_secret as the password (the /v1 Razorpay face)' },
  },
  idempotencyKey: false,
};

import { forbidden } from '../core/errors.ts';
import { parseOrigin } from '../core/origins.ts';

export { parseOrigin };

export interface OriginPolicy {
  /** The tenant's `checkout.allowed_origins` (normalised). */
  allowed: string[];
  production: boolean;
}

/**
 * Who may embed checkout.js: a listed origin, or, while the list is empty, any origin outside
 * production. In production an empty list allows none, so a tenant must say where it embeds.
 */
export function assertOpenerAllowed(policy: OriginPolicy, origin: string | null): void {
  if (policy.allowed.length === 0) {
    if (policy.production) {
      throw forbidden('checkout_origins_required', 'Set checkout.allowed_origins (PATCH /api/v1/auth/settings) to the origins of your pages before opening checkout from a browser');
    }
    return;
  }
  if (!origin || !policy.allowed.includes(origin)) {
    throw forbidden('origin_not_allowed', `This page's origin${origin ? ` (${origin})` : ''} is not in checkout.allowed_origins`);
  }
}

/**
 * The hosted page's frame-ancestors: the page that opened it through checkout.js when known,
 * else the tenant's allowed origins, else any origin (never in production, where a page opened
 * from the merchant's server is shown only as a full page).
 */
export function frameAncestors(policy: OriginPolicy, sessionOrigin: string | null): string {
  if (sessionOrigin) return sessionOrigin;
  if (policy.allowed.length > 0) return policy.allowed.join(' ');
  return policy.production ? "'none'" : '*';
}

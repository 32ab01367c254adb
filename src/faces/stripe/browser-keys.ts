import { assertOpenerAllowed, parseOrigin, type OriginPolicy } from '../../checkout/origins.ts';
import { badRequest, forbidden } from '../../core/errors.ts';
import type { Services } from '../../services.ts';
import { settingsOf, type DbTenant } from '../../tenants/tenants.ts';
import { sameSecret } from './challenge.ts';
import type { IntentParts } from './entities.ts';

/**
 * What the publishable key (pk_test_…) may do on Stripe's API, as Stripe.js uses it from a
 * merchant's page: create a card PaymentMethod, and retrieve or confirm a PaymentIntent whose
 * client_secret it holds. Everything else stays the secret key's (the routes take `auth:
 * 'secret'`, which refuses a publishable key with Stripe's 403). A browser call's Origin must be
 * in the tenant's checkout.allowed_origins, as for checkout.js; the card Element's own frame
 * (Sandpay's origin, itself framed only by an allowed origin) counts as allowed.
 */

export const originPolicy = (svc: Services, tenant: DbTenant): OriginPolicy => ({
  allowed: settingsOf(tenant).checkout.allowed_origins,
  production: svc.config.env === 'production',
});

/** Refuses a publishable-key call from a page whose origin the tenant does not allow. */
export function checkBrowserOrigin(svc: Services, tenant: DbTenant, originHeader: string | undefined, baseUrl: string): void {
  const origin = parseOrigin(originHeader);
  if (origin !== null && origin === new URL(baseUrl).origin) return;
  assertOpenerAllowed(originPolicy(svc, tenant), origin);
}

/** The frame-ancestors of a Sandpay page that `origin` frames: that origin if the tenant allows it, else none. */
export function framedBy(svc: Services, tenant: DbTenant, origin: string | null): string {
  if (origin === null) return "'none'";
  try {
    assertOpenerAllowed(originPolicy(svc, tenant), origin);
  } catch {
    return "'none'";
  }
  return origin;
}

/** With the publishable key an intent is reached only through its client_secret, as on Stripe. */
export function requireClientSecret(parts: IntentParts, given: string | undefined): void {
  if (!given) throw badRequest('parameter_missing', 'You must provide the client_secret of the PaymentIntent when using a publishable key.', 'client_secret');
  if (!parts.intent.client_secret || !sameSecret(parts.intent.client_secret, given)) {
    throw badRequest('payment_intent_invalid_parameter', 'The client_secret provided does not match the client_secret associated with the PaymentIntent.', 'client_secret');
  }
}

/** A parameter Stripe.js never sends, refused with the publishable key. */
export function secretOnly(param: string): never {
  throw forbidden('secret_key_required', `${param} can only be set with your secret key (sk_test_…)`, param);
}

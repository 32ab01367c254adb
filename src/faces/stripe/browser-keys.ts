import { assertOpenerAllowed, parseOrigin, type OriginPolicy } from '../../checkout/origins.ts';
import { badRequest, forbidden } from '../../core/errors.ts';
import type { Services } from '../../services.ts';
import { settingsOf, type DbTenant } from '../../tenants/tenants.ts';
import { sameSecret } from './challenge.ts';
import type { IntentParts } from './entities.ts';
import { CardError } from './errors.ts';
import type { Refusal } from '../../routing/route.ts';

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

/**
 * What a publishable key sees of a PaymentIntent: the fields Stripe.js's own PaymentIntent type
 * has (Stripe answers a browser only those), never its metadata, customer or charges. Every answer
 * a publishable key gets — retrieve, confirm, the intent inside a 402 — goes through here.
 */
const CLIENT_INTENT_FIELDS = [
  'id', 'object', 'amount', 'automatic_payment_methods', 'canceled_at', 'cancellation_reason', 'capture_method', 'client_secret', 'confirmation_method',
  'created', 'currency', 'description', 'last_payment_error', 'livemode', 'next_action', 'payment_method', 'payment_method_types', 'processing',
  'receipt_email', 'setup_future_usage', 'shipping', 'status',
] as const;

export function clientIntent(pi: Record<string, unknown>): Record<string, unknown> {
  return pick(pi, CLIENT_INTENT_FIELDS);
}

/** Of a PaymentMethod, what Stripe.js's type has: not its metadata. */
const CLIENT_METHOD_FIELDS = ['id', 'object', 'allow_redisplay', 'billing_details', 'card', 'created', 'customer', 'livemode', 'type'] as const;

const pick = (o: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));

/** The intent (and the PaymentMethod) inside a card error, as the publishable key may see them. */
export function clientRefusal(refusal: Refusal): Refusal {
  const err = refusal.error;
  if (!(err instanceof CardError)) return refusal;
  if (err.extra.payment_intent) err.extra.payment_intent = clientIntent(err.extra.payment_intent) as CardError['extra']['payment_intent'];
  if (err.extra.payment_method) err.extra.payment_method = pick(err.extra.payment_method, CLIENT_METHOD_FIELDS) as CardError['extra']['payment_method'];
  return refusal;
}

/** Stripe expands nothing for a publishable key: what it reaches (a Customer, a Charge) is the secret key's. */
export function noExpandWithPublishableKey(expand: string[] | undefined): void {
  if (expand?.length) throw badRequest('parameter_invalid', 'expand cannot be used with a publishable key; retrieve the PaymentIntent with your secret key to expand it', 'expand');
}

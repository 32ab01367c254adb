import { parseOrigin } from '../../checkout/origins.ts';
import type { Queryable } from '../../db/pool.ts';
import { findTenantByKey } from '../../tenants/store.ts';
import type { DbTenant } from '../../tenants/tenants.ts';

/**
 * The Stripe.js stand-in's pages on Sandpay's origin (routes/elements.ts): the card Element's
 * frame, which a merchant's page mounts, and the page a 3-D Secure challenge shown in Stripe.js's
 * overlay returns to, which tells the merchant's page (and only it) that the challenge is over.
 */

export const ELEMENT_FRAME_PATH = '/stripe/elements/frame';
export const ELEMENTS_RETURN_PATH = '/stripe/elements/return';

/** Why an Element cannot show its form: a Stripe.js error (code, words) for the merchant's page and its payer. */
export class ElementProblem extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The tenant whose publishable key the Element was mounted with. */
export async function tenantOfPublishableKey(db: Queryable, key: string | undefined): Promise<DbTenant> {
  const found = key && /^pk_test_/.test(key) ? await findTenantByKey(db, key) : undefined;
  if (!found || found.key_type !== 'publishable') {
    throw new ElementProblem('invalid_api_key', 'This payment form cannot load: the store\'s publishable key is unknown or revoked.');
  }
  if (found.tenant.disabled) throw new ElementProblem('tenant_disabled', 'This store cannot take payments right now.');
  return found.tenant;
}

/**
 * The merchant's origin of an intent whose return_url is the overlay's return page (Stripe.js
 * confirms with `<sandpay>/stripe/elements/return?origin=<its page's origin>` when it shows 3-D
 * Secure in its overlay); else null: a full-page challenge.
 */
export function overlayOpener(returnUrl: string | null, baseUrl: string): string | null {
  if (!returnUrl) return null;
  let u: URL;
  try {
    u = new URL(returnUrl);
  } catch {
    return null;
  }
  if (u.origin !== new URL(baseUrl).origin || u.pathname !== ELEMENTS_RETURN_PATH) return null;
  return parseOrigin(u.searchParams.get('origin'));
}

import { timingSafeEqual } from 'node:crypto';
import { answerPaymentChallenge } from '../../checkout/pay.ts';
import { DomainError } from '../../core/errors.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import type { Ctx, Services } from '../../services.ts';
import { getTenant } from '../../tenants/store.ts';
import type { DbTenant } from '../../tenants/tenants.ts';
import { intentStatus, type IntentParts } from './entities.ts';
import { ledgerId, stripeId } from './ids.ts';
import { loadIntent } from './intents.ts';
import { isHttpUrl } from './schemas.ts';
import { intentForChallenge } from './store.ts';

/**
 * The 3-D Secure challenge page behind a PaymentIntent's next_action: opened with the intent's
 * client secret (the credential, as Stripe's is), it answers the pending payment's test challenge
 * with the hosted checkout's own rule (answerPaymentChallenge), then sends the payer back to the
 * intent's return_url. Webhooks follow from the ledger's payment transition.
 */

/** Why a page cannot be shown or answered: a status and words for a person, never the intent's data. */
export class ChallengeProblem extends Error {
  readonly status: 401 | 403 | 404 | 409;
  readonly title: string;
  readonly text: string;
  constructor(status: 401 | 403 | 404 | 409, title: string, text: string) {
    super(text);
    this.status = status;
    this.title = title;
    this.text = text;
  }
}

const NOT_FOUND = new ChallengeProblem(404, 'Authentication not found', 'This authentication link is not valid. Return to the store and try paying again.');

export interface Challenge {
  tenant: DbTenant;
  parts: IntentParts;
  status: ReturnType<typeof intentStatus>;
}

export const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The intent whose client secret this is (any tenant's: the secret says whose); else a 401/404 problem. */
export async function loadChallenge(db: Queryable, piId: string, secret: string | undefined, baseUrl: string, lock = false): Promise<Challenge> {
  if (!secret) throw new ChallengeProblem(401, 'Authentication link incomplete', 'This link is missing its client secret. Return to the store and try paying again.');
  const orderId = ledgerId('pi', piId);
  const row = orderId ? await intentForChallenge(db, orderId) : undefined;
  // An intent Stripe's API never touched has no secret: nothing can open its page.
  if (!row || !row.client_secret || !sameSecret(row.client_secret, secret)) throw NOT_FOUND;
  const tenant = await getTenant(db, row.tenant_id);
  if (!tenant) throw NOT_FOUND;
  if (tenant.disabled) throw new ChallengeProblem(403, 'Payment unavailable', 'This merchant cannot take payments right now.');
  const parts = await loadIntent(db, tenant.id, piId, baseUrl, { lock });
  return { tenant, parts, status: intentStatus(parts.intent, parts.payments) };
}

const NO_LONGER = (status: string) =>
  new ChallengeProblem(409, 'No authentication needed', `This payment no longer needs authentication (it is ${status.replace(/_/g, ' ')}). Return to the store to see where it stands.`);

/** The payment waiting for the payer's answer; else the page says it no longer needs one. */
export function pendingChallenge(c: Challenge) {
  const latest = c.parts.payments.at(-1);
  if (c.status !== 'requires_action' || !latest) throw NO_LONGER(c.status);
  return latest;
}

/**
 * Answers the challenge under a lock on the intent (a second click, another tab: the later one
 * finds nothing to answer and says so). Its own transaction: the page's routes are not API writes.
 */
export async function answerChallengePage(db: Db, svc: Services, piId: string, secret: string | undefined, outcome: 'complete' | 'fail', baseUrl: string, requestId: string): Promise<Challenge> {
  await db.tx(async (t) => {
    const c = await loadChallenge(t, piId, secret, baseUrl, true);
    const payment = pendingChallenge(c);
    // The payer acts on a hosted page whose URL is the credential, as on a checkout session's.
    const ctx: Ctx = { tenant: c.tenant, actor: { type: 'checkout_session', id: piId }, requestId };
    try {
      await answerPaymentChallenge(t, svc, ctx, payment.id, outcome);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'state') throw NO_LONGER(c.status);
      throw err;
    }
  });
  return loadChallenge(db, piId, secret, baseUrl);
}

/** What the intent's return_url learns: Stripe's three parameters, after the URL's own query. */
export function returnHref(c: Challenge): string | null {
  const { intent } = c.parts;
  // Defence in depth: a stored row from before return_url was checked never sends the payer to javascript: or data:.
  if (!intent.return_url || !isHttpUrl(intent.return_url)) return null;
  const url = new URL(intent.return_url);
  url.searchParams.set('payment_intent', stripeId('pi', intent.id));
  url.searchParams.set('payment_intent_client_secret', intent.client_secret);
  url.searchParams.set('redirect_status', redirectStatus(c.status));
  return url.toString();
}

export const redirectStatus = (status: Challenge['status']) =>
  status === 'succeeded' || status === 'requires_capture' || status === 'processing' ? 'succeeded' : 'failed';

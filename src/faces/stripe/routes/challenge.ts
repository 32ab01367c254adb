import type { Response } from 'express';
import { z } from 'zod';
import { route, type RawReply } from '../../../routing/route.ts';
import { pageHeaders } from '../../../checkout/page-shell.ts';
import { answerChallengePage, ChallengeProblem, loadChallenge, pendingChallenge, redirectStatus, returnHref, type Challenge } from '../challenge.ts';
import { renderChallengePage, renderChallengeProblem, renderDonePage } from '../challenge-page.ts';
import { challengePath } from '../entities.ts';
import { stripeHttpFace } from '../http-face.ts';
import { framedBy } from '../browser-keys.ts';
import { ELEMENTS_RETURN_PATH, overlayOpener } from '../elements.ts';
import { parseOrigin } from '../../../checkout/origins.ts';
import { stripeId } from '../ids.ts';
import { isHttpUrl, pageField } from '../schemas.ts';

const tag = 'Stripe';
const params = z.strictObject({ id: z.string().min(1).max(200).catch('-') });
/** Lenient on purpose: whatever a browser sends, the payer gets a page in words, not a JSON error. */
const secretQuery = z.object({ client_secret: pageField(200), overlay: pageField(300) });
const answerBody = z.object({ client_secret: pageField(200), outcome: pageField(20), overlay: pageField(300) });

/**
 * The merchant page whose Stripe.js overlay shows this challenge: the one the overlay's return_url
 * names, or — for an intent confirmed on the server without a return_url (use_stripe_sdk), which
 * Stripe.js then finishes — the page origin Stripe.js gives as `overlay`. Framing still needs the
 * tenant to allow that origin (framedBy).
 */
function openerOf(c: Challenge, overlay: string | undefined, baseUrl: string): string | null {
  const byReturn = overlayOpener(c.parts.intent.return_url, baseUrl);
  if (byReturn) return byReturn;
  return c.parts.intent.return_url && isHttpUrl(c.parts.intent.return_url) ? null : parseOrigin(overlay);
}

/**
 * A page, not an API answer: nothing loads from anywhere but Sandpay (no script at all), it is
 * never framed or cached, and its form may post only here and be sent on to the intent's
 * return_url (Chromium applies form-action to the redirect too).
 */
function challengeHeaders(res: Response, returnUrl: string | null, ancestors = "'none'"): void {
  // No http(s) return_url: the done page instead, and the form posts nowhere else.
  const back = returnUrl && isHttpUrl(returnUrl) ? ` ${new URL(returnUrl).origin}` : '';
  // Same-origin referrer: the form's POST carries its Origin (checked below); the return_url never sees this URL's secret.
  pageHeaders(res, { ancestors, scripts: false, formAction: `'self'${back}`, referrer: 'same-origin' });
}

function overlayReturnHref(baseUrl: string, origin: string, c: Challenge): string {
  const u = new URL(ELEMENTS_RETURN_PATH, baseUrl);
  u.searchParams.set('origin', origin);
  u.searchParams.set('payment_intent', stripeId('pi', c.parts.intent.id));
  u.searchParams.set('redirect_status', redirectStatus(c.status));
  return u.toString();
}

function problem(res: Response, err: unknown, back: string | null = null): void {
  if (!(err instanceof ChallengeProblem)) throw err;
  challengeHeaders(res, null);
  res.status(err.status).type('html').send(renderChallengeProblem(err.title, err.text, back));
}

/** A page that cannot be answered, with the way back to the store when it has a return_url. */
const stateProblem = (res: Response, err: unknown, c: Challenge | null) => problem(res, err, c ? returnHref(c) : null);

/**
 * The page behind next_action (GET) and its answer (POST): Stripe's face claims these paths, so
 * a form POST is decoded, but they carry no key: the client secret is the credential.
 */
export const challengeRoutes = [
  route({
    method: 'get', path: '/stripe/challenge/:id', auth: 'none', face: stripeHttpFace, rateLimit: 'ip', tag,
    summary: "A PaymentIntent's 3-D Secure challenge page (HTML)", params, query: secretQuery, response: z.string(), produces: 'text/html', errors: [401, 404, 409],
    handler: async ({ db, svc, params: p, query, baseUrl }) => ({
      raw: async (res) => {
        let c: Challenge | null = null;
        try {
          c = await loadChallenge(db, p.id, query.client_secret, baseUrl);
          pendingChallenge(c);
        } catch (err) {
          return stateProblem(res, err, c);
        }
        // Stripe.js shows the challenge in an overlay on the merchant's page when it confirmed with its overlay's return page.
        const opener = openerOf(c, query.overlay, baseUrl);
        challengeHeaders(res, c.parts.intent.return_url, opener ? framedBy(svc, c.tenant, opener) : undefined);
        res.type('html').send(renderChallengePage(c, challengePath(p.id), query.client_secret!, opener && !overlayOpener(c.parts.intent.return_url, baseUrl) ? opener : null));
      },
    }) satisfies RawReply,
  }),
  route({
    method: 'post', path: '/stripe/challenge/:id', auth: 'none', face: stripeHttpFace, rateLimit: 'ip', tag,
    summary: "Answer a PaymentIntent's 3-D Secure challenge (a form POST; 303 to its return_url)", params, body: answerBody, response: z.string(), produces: 'text/html', errors: [401, 403, 404, 409],
    handler: async ({ db, svc, params: p, body, baseUrl, header, requestId }) => ({
      raw: async (res) => {
        const origin = header('origin');
        // Cheap, though the secret is the credential: a form posted from another origin's page is refused.
        if (origin && origin !== new URL(baseUrl).origin) {
          return problem(res, new ChallengeProblem(403, 'Request refused', 'This authentication can only be answered from its own page.'));
        }
        if (body.outcome !== 'complete' && body.outcome !== 'fail') {
          return problem(res, new ChallengeProblem(409, 'Choose an answer', 'Choose "Complete authentication" or "Fail authentication" on the authentication page.'));
        }
        let c: Challenge;
        try {
          c = await answerChallengePage(db, svc, p.id, body.client_secret, body.outcome, baseUrl, requestId);
        } catch (err) {
          let now: Challenge | null = null;
          if (err instanceof ChallengeProblem && err.status === 409) now = await loadChallenge(db, p.id, body.client_secret, baseUrl);
          return stateProblem(res, err, now);
        }
        const back = returnHref(c);
        if (back) return void res.redirect(303, back);
        // No return_url, shown in Stripe.js's overlay: its return page tells the merchant's page it is over.
        const overlay = openerOf(c, body.overlay, baseUrl);
        if (overlay) return void res.redirect(303, overlayReturnHref(baseUrl, overlay, c));
        challengeHeaders(res, null);
        res.type('html').send(renderDonePage(c));
      },
    }) satisfies RawReply,
  }),
];

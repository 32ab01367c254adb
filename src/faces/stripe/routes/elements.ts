import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Response } from 'express';
import { z } from 'zod';
import { assertOpenerAllowed, parseOrigin } from '../../../checkout/origins.ts';
import { DomainError } from '../../../core/errors.ts';
import { pageHeaders } from '../../../checkout/page-shell.ts';
import { route, type RawReply } from '../../../routing/route.ts';
import { originPolicy } from '../browser-keys.ts';
import { ELEMENT_FRAME_PATH, ELEMENTS_RETURN_PATH, ElementProblem, tenantOfPublishableKey } from '../elements.ts';
import { renderElementFrame, renderElementProblem, renderOverlayReturn } from '../elements-page.ts';
import { stripeHttpFace } from '../http-face.ts';
import { pageField } from '../schemas.ts';

const PUBLIC = path.join(import.meta.dirname, '..', 'public');
const tag = 'Stripe';
const face = stripeHttpFace;

/** The stand-in's files, read once: its script for merchants' pages, and its frames' own assets. */
const FILES: Record<string, { type: string; text: string }> = Object.fromEntries(
  [['stripe.js', 'text/javascript'], ['element.js', 'text/javascript'], ['return.js', 'text/javascript'], ['element.css', 'text/css']].map(([file, type]) => [
    file!, { type: `${type}; charset=utf-8`, text: readFileSync(path.join(PUBLIC, file!), 'utf8') },
  ]),
);

function sendFile(res: Response, file: string, crossOrigin: boolean): void {
  const f = FILES[file]!;
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'public, max-age=600');
  if (crossOrigin) {
    // Loaded by a <script> on the merchant's page (another origin), as js.stripe.com/v3/ is.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
  }
  res.type(f.type).send(f.text);
}

/** A frame's headers: nothing loads but Sandpay's own files, it posts nowhere, and only `ancestors` may frame it. */
const frameHeaders = (res: Response, ancestors: string) => pageHeaders(res, { ancestors });

/** Lenient on purpose: whatever a page sends, the payer gets words in the frame, not a JSON error. */
const frameQuery = z.object({ key: pageField(300), origin: pageField(300), type: pageField(20), id: pageField(100) });
const returnQuery = z.object({ origin: pageField(300), payment_intent: pageField(200), redirect_status: pageField(20) }).loose();
const assetParams = z.strictObject({ file: z.enum(['stripe.js', 'element.js', 'return.js', 'element.css']) });

/**
 * The Stripe.js stand-in: `/v3/` is the script a page loads instead of js.stripe.com/v3/ (same
 * path, so only the host changes); the card Element's frame and the overlay's return page are
 * Sandpay's pages. None takes a key in a header: the frame is opened with the publishable key,
 * which is public, and checks the merchant's origin against checkout.allowed_origins.
 */
export const elementRoutes = [
  route({
    method: 'get', path: '/v3', auth: 'none', face, tag, summary: 'The Stripe.js stand-in (load it from <sandpay>/v3/ instead of https://js.stripe.com/v3/)',
    response: z.string(), produces: 'text/javascript',
    handler: async () => ({ raw: (res) => sendFile(res, 'stripe.js', true) }) satisfies RawReply,
  }),
  route({
    method: 'get', path: '/stripe/elements/assets/:file', auth: 'none', face, tag, summary: "The stand-in's files: the card Element's script and stylesheet, the overlay's return script (and stripe.js, as at /v3/)", params: assetParams,
    response: z.string(), produces: 'text/javascript',
    handler: async ({ params: p }) => ({ raw: (res) => sendFile(res, p.file, p.file === 'stripe.js') }) satisfies RawReply,
  }),
  route({
    method: 'get', path: ELEMENT_FRAME_PATH, auth: 'none', face, tag, rateLimit: 'ip', summary: "A card Element's frame (HTML): the card form, mounted by Stripe.js on the merchant's page",
    query: frameQuery, response: z.string(), produces: 'text/html', errors: [403],
    handler: async ({ db, svc, query: q }) => ({
      raw: async (res) => {
        const origin = parseOrigin(q.origin);
        const element = q.id ?? '';
        try {
          if (!origin) throw new ElementProblem('origin_missing', 'This payment form must be mounted by Stripe.js on the store\'s page.');
          const tenant = await tenantOfPublishableKey(db, q.key);
          try {
            assertOpenerAllowed(originPolicy(svc, tenant), origin);
          } catch (err) {
            if (err instanceof DomainError) throw new ElementProblem(err.code, `This payment form cannot be shown on ${origin}: the store does not allow that origin (checkout.allowed_origins).`);
            throw err;
          }
          frameHeaders(res, origin);
          res.type('html').send(renderElementFrame({ origin, key: q.key!, element, type: q.type === 'payment' ? 'payment' : 'card' }));
        } catch (err) {
          if (!(err instanceof ElementProblem)) throw err;
          // Shown in the frame (which holds no form) and posted to the page that claims to frame it, only.
          frameHeaders(res, origin ?? "'none'");
          res.status(403).type('html').send(renderElementProblem({ origin: origin ?? '', element }, err.code, err.message));
        }
      },
    }) satisfies RawReply,
  }),
  route({
    method: 'get', path: ELEMENTS_RETURN_PATH, auth: 'none', face, tag, summary: "Where a 3-D Secure challenge in Stripe.js's overlay returns (HTML): tells the merchant's page it is over",
    query: returnQuery, response: z.string(), produces: 'text/html',
    handler: async ({ query: q }) => ({
      raw: (res) => {
        const origin = parseOrigin(q.origin);
        // It says only which intent and how it ended, and only to the origin named (the challenge's frame-ancestors checked it).
        frameHeaders(res, origin ?? "'none'");
        res.type('html').send(renderOverlayReturn(origin ?? '', q.payment_intent ?? '', q.redirect_status ?? ''));
      },
    }) satisfies RawReply,
  }),
];

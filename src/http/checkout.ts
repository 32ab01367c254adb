import { readFileSync } from 'node:fs';
import path from 'node:path';
import cors from 'cors';
import express, { Router } from 'express';
import type { CheckoutFace } from '../checkout/faces.ts';

const PUBLIC = path.join(import.meta.dirname, '..', 'checkout', 'public');

/**
 * checkout.js as served: Sandpay's own (window.Sandpay), then the given faces' modes on top of it.
 * It is loaded by other origins' pages: cacheable, with an ETag (and ?v= in its URL).
 */
function serveScript(router: Router, urlPath: string, files: string[]): void {
  const text = files.map((f) => readFileSync(f, 'utf8')).join('');
  router.get(urlPath, (_req, res) => {
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'public, max-age=600');
    res.type('text/javascript; charset=utf-8').send(text);
  });
}

/**
 * What the hosted checkout needs besides its routes in the table: its static files, served by
 * Sandpay itself (no CDN), and CORS for the one API call a merchant's page makes (checkout.js
 * opening a session with the publishable key). That call's Origin is checked by the route
 * against the tenant's checkout.allowed_origins, so any origin may ask here. `faceScripts`: the
 * gateway faces' checkout.js modes, in /checkout.js and each at its face's own path too.
 */
export function checkoutRouter(faceScripts: ReadonlyArray<CheckoutFace['script']>): Router {
  const router = Router();
  router.use(
    '/api/v1/checkout/sessions',
    cors({ origin: true, methods: ['POST'], allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'], exposedHeaders: ['X-Request-Id', 'Retry-After'], maxAge: 600 }),
  );

  const sandpay = path.join(PUBLIC, 'checkout.js');
  serveScript(router, '/checkout.js', [sandpay, ...faceScripts.map((s) => s.file)]);
  for (const s of faceScripts) serveScript(router, s.path, [sandpay, s.file]);
  router.use('/checkout/assets', (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  router.use('/checkout/assets', express.static(PUBLIC, { index: false, maxAge: '1h' }));
  return router;
}

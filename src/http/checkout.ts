import path from 'node:path';
import cors from 'cors';
import express, { Router } from 'express';

const PUBLIC = path.join(import.meta.dirname, '..', 'checkout', 'public');

/**
 * What the hosted checkout needs besides its routes in the table: its static files, served by
 * Sandpay itself (no CDN), and CORS for the one API call a merchant's page makes (checkout.js
 * opening a session with the publishable key). That call's Origin is checked by the route
 * against the tenant's checkout.allowed_origins, so any origin may ask here.
 */
export function checkoutRouter(): Router {
  const router = Router();
  router.use(
    '/api/v1/checkout/sessions',
    cors({ origin: true, methods: ['POST'], allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'], exposedHeaders: ['X-Request-Id', 'Retry-After'], maxAge: 600 }),
  );

  // checkout.js is loaded by other origins' pages: cacheable with an ETag (and ?v= in its URL).
  router.get('/checkout.js', (_req, res) => {
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(path.join(PUBLIC, 'checkout.js'), { maxAge: '10m', headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  });
  router.use('/checkout/assets', (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  router.use('/checkout/assets', express.static(PUBLIC, { index: false, maxAge: '1h' }));
  return router;
}

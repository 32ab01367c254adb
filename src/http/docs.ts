import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';
import type { Config } from '../config.ts';

// The package's exports name no browser bundle, so find the package folder from its main entry.
const require = createRequire(import.meta.url);
const SCALAR = path.join(require.resolve('@scalar/api-reference').replace(/\/dist\/.*$/, ''), 'dist/browser/standalone.js');
const PUBLIC = path.join(import.meta.dirname, 'public');

/**
 * /docs: the API reference, rendered in the browser by Scalar from /api/v1/openapi.json. Every
 * file comes from this process (no CDN); Scalar's own fonts are turned off so nothing is fetched
 * from elsewhere. Its bundle styles itself at run time, hence 'unsafe-inline' for styles only.
 */
export function docsRouter(_config: Config): Router {
  const router = Router();
  const csp = [
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self' data:",
    "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'",
  ].join('; ');
  router.use('/docs', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  router.get('/docs/scalar.js', (_req, res) => res.sendFile(SCALAR, { maxAge: '1d' }));
  router.use('/docs', express.static(PUBLIC, { index: 'docs.html', maxAge: '1h' }));
  return router;
}

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';

const PUBLIC = path.join(import.meta.dirname, '..', 'dashboard', 'public');
const require = createRequire(import.meta.url);
/** A package's folder, found from its main entry (their export maps do not list package.json). */
function pkgDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') dir = path.dirname(dir);
  return dir;
}

/**
 * The browser modules the dashboard imports, served from node_modules by this process (no CDN,
 * no build step). Preact's hooks import the bare specifier "preact", which a browser resolves
 * only through an import map (an inline script, which the CSP refuses), so it is rewritten once
 * here to the sibling file.
 */
function vendorFiles(): Map<string, { type: string; body: string }> {
  const js = 'text/javascript; charset=utf-8';
  const read = (name: string, file: string) => readFileSync(path.join(pkgDir(name), file), 'utf8');
  return new Map([
    ['preact.js', { type: js, body: read('preact', 'dist/preact.module.js') }],
    ['hooks.js', { type: js, body: read('preact', 'hooks/dist/hooks.module.js').replace(/from\s*["']preact["']/g, 'from"./preact.js"') }],
    ['htm.js', { type: js, body: read('htm', 'dist/htm.module.js') }],
    // uPlot formats numbers in navigator.language, which some browsers report as a tag Intl
    // refuses (Chromium under LANG=C says "en-US@posix"): fall back to en-US instead of failing to load.
    ['uplot.js', { type: js, body: read('uplot', 'dist/uPlot.esm.js').replace(/new Intl\.NumberFormat\(domEnv \? nav\.language : 'en-US'\)/, SAFE_NUMBER_FORMAT) }],
    ['uplot.css', { type: 'text/css; charset=utf-8', body: read('uplot', 'dist/uPlot.min.css') }],
  ]);
}

const SAFE_NUMBER_FORMAT = "(() => { try { return new Intl.NumberFormat(domEnv ? nav.language : 'en-US'); } catch { return new Intl.NumberFormat('en-US'); } })()";

const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'", "connect-src 'self'",
  "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
].join('; ');

const headers: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
};

/**
 * /dashboard: one HTML shell for every dashboard URL (the page modules route in the browser and
 * call the JSON API with the session cookie), its modules under /dashboard/assets, and the
 * vendored libraries under /dashboard/vendor.
 */
export function dashboardRouter(): Router {
  const router = Router();
  let vendor: ReturnType<typeof vendorFiles> | null = null;
  const shell = readFileSync(path.join(PUBLIC, 'index.html'), 'utf8');
  router.use('/dashboard', headers);
  router.get('/dashboard/vendor/:file', (req, res, next) => {
    vendor ??= vendorFiles();
    const file = vendor.get(req.params.file);
    if (!file) return next();
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type(file.type).send(file.body);
  });
  router.use('/dashboard/assets', express.static(PUBLIC, { index: false, maxAge: 0, etag: true }));
  router.get(['/dashboard', '/dashboard/{*rest}'], (req, res, next) => {
    if (req.path.startsWith('/dashboard/assets/') || req.path.startsWith('/dashboard/vendor/')) return next();
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(shell);
  });
  return router;
}

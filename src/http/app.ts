import cors from 'cors';
import express, { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { FACES } from '../contract/faces.ts';
import type { HttpFace } from '../routing/face.ts';
import { ROUTES } from '../contract/table.ts';
import { DomainError } from '../core/errors.ts';
import { newId } from '../ids.ts';
import { redactUrl } from '../logger.ts';
import { looksSecret } from '../core/secret-text.ts';
import type { Services } from '../services.ts';
import { createMetrics } from '../metrics/prometheus.ts';
import { methodNotAllowed, mountRoute, type Guards } from './adapter.ts';
import { adminAuth, faceAuth, tenantAuth } from './middleware/auth.ts';
import type { TokenAuth } from './middleware/credentials.ts';
import { errorHandler, notFoundHandler } from './middleware/error-handler.ts';
import { ipRateLimit, publishableIpLimit, tenantLimits } from './middleware/rate-limit.ts';
import { docsRouter } from './docs.ts';
import { dashboardRouter } from './dashboard.ts';
import { requestLog } from './request-log.ts';
import { sessionGuards } from './middleware/session.ts';
import { jsonBody } from './middleware/json-body.ts';
import { RandomFaults } from './faults.ts';
import { checkoutRouter } from './checkout.ts';
import { faceClaiming } from './errors.ts';

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** Past this many requests in flight the API answers 503 at once instead of queueing without bound. */
function inflightLimit(max: number): RequestHandler {
  let inflight = 0;
  return (_req, res, next) => {
    if (inflight >= max) {
      return next(new DomainError('unavailable', 'overloaded', 'Too many requests in flight; try again shortly', { headers: { 'Retry-After': '1' } }));
    }
    inflight++;
    res.once('close', () => inflight--);
    next();
  };
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * The body's encoding: JSON, or a form for a face that decodes forms (Stripe's SDK sends only
 * forms), whose raw text (at most 100 kB) the face turns into the object its schemas read. Any
 * other body is refused, rather than silently parsed as empty.
 */
function bodyEncoding(): RequestHandler {
  const json = jsonBody();
  const formText = express.text({ type: FORM, limit: '100kb' });
  return (req, res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody || req.is('application/json')) return json(req, res, next);
    const decode = req.is(FORM) ? faceClaiming(req)?.decode : undefined;
    if (!decode) return next(new DomainError('unsupported_media', 'unsupported_media_type', 'Send request bodies as JSON with Content-Type: application/json'));
    formText(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        req.body = decode.form(typeof req.body === 'string' ? req.body : '');
        next();
      } catch (e) {
        next(e);
      }
    });
  };
}

/** The headers a face puts on every answer to its requests, and its clients' other form of a key. */
const faceHeaders: RequestHandler = (req, res, next) => {
  const face = faceClaiming(req);
  const bearer = face?.bearerOf?.(req.headers.authorization);
  if (bearer) req.headers.authorization = bearer;
  const headers = face?.answerHeaders?.(req, String(req.id));
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  next();
};

const anyOrigin = cors({
  origin: true, methods: ['GET', 'POST'], allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Stripe-Version'],
  exposedHeaders: ['Request-Id', 'X-Request-Id', 'Retry-After'], maxAge: 600,
});

/** A face's paths that a merchant's page calls with its publishable key (HttpFace.browserPaths): CORS from any origin. */
const browserCors: RequestHandler = (req, res, next) => {
  const paths = faceClaiming(req)?.browserPaths;
  if (paths && paths.test(req.path)) return anyOrigin(req, res, next);
  next();
};

export function createApp(services: Services): express.Express {
  const { config, log, db } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        // One that holds a secret (a key pasted in the wrong header) is replaced, not echoed, logged or stored.
        const id = typeof given === 'string' && REQUEST_ID.test(given) && !looksSecret(given) ? given : newId('request');
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Headers are never logged: they carry API keys.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // An injected fault (Sandpay-Fault) is the server doing as asked, not a failure: a warning.
      customLogLevel: (_req, res, err) => (res.locals?.fault ? 'warn' : err || res.statusCode >= 500 ? 'error' : 'info'),
      // ... so its line carries the fault, not a made-up Error with a stack trace.
      customErrorObject: (_req, res, _err, val) => (res.locals?.fault ? { ...val, err: undefined, fault: res.locals.fault } : val),
      autoLogging: { ignore: (req) => req.url === '/health' },
    }),
  );
  const metrics = createMetrics(services);
  app.use(metrics.httpMiddleware);
  app.use(requestLog(services));
  app.use(docsRouter(config));
  app.use(dashboardRouter());
  app.use(checkoutRouter(FACES.flatMap((f) => (f.checkout ? [f.checkout.script] : []))));
  app.use(helmet());
  app.use(browserCors);
  app.use(
    cors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'Sandpay-Fault'],
      exposedHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(inflightLimit(config.maxInflightRequests));
  app.use(faceHeaders);
  app.use(bodyEncoding());

  const { windowMs, tenantMax, registerMax, publishableMax } = config.rateLimit;
  // Per tenant: a blocked key is refused before auth (no query); the in-flight bound keeps one tenant to a fair share of the pool.
  const limits = tenantLimits(db, services.caches, {
    windowMs, defaultMax: tenantMax, maxInflight: config.tenantMaxInflight, maxWaitMs: config.db.connectTimeoutMs, maxHeld: Math.floor(config.maxInflightRequests / 2),
  });
  const publishableLimit = publishableIpLimit(db, windowMs, publishableMax);
  const sessions = sessionGuards(db, config.adminToken);
  const tokens: TokenAuth = {
    audience: () => config.publicUrl ?? services.listenUrl?.() ?? null,
    adminKeys: config.adminJwtKeys,
  };
  // A face's key ids act as publishable keys (checkout.js in the face's mode).
  const faceKeyPrefixes = FACES.flatMap((f) => (f.keyPair ? [f.keyPair.prefix] : []));
  const guards: Guards = {
    faults: new RandomFaults(),
    prometheus: metrics.registry,
    tenant: (allowPublishable, permission) => [
      limits.beforeAuth, sessions.or('tenant', tenantAuth(db, services.caches, { allowPublishable, permission, tokens, faceKeyPrefixes })), limits.afterAuth,
      ...(allowPublishable ? [publishableLimit] : []),
    ],
    admin: [sessions.or('operator', adminAuth(db, services.caches, config.adminToken, tokens))],
    session: [sessions.only],
    face: (face) => [faceAuth(services, face), limits.afterAuth],
    register: ipRateLimit(db, windowMs, registerMax, 'register:'),
    ip: ipRateLimit(db, windowMs, tenantMax, 'public:'),
  };
  const router = Router();
  // Each face's paths (Sandpay's own: no face) with the methods it serves there, for the 405s.
  const methods = new Map<string, { path: string; face: HttpFace | undefined; allowed: string[] }>();
  for (const route of ROUTES) {
    mountRoute(router, route, services, guards);
    const key = `${route.face?.name ?? ''} ${route.path}`;
    const known = methods.get(key) ?? { path: route.path, face: route.face, allowed: [] };
    methods.set(key, { ...known, allowed: [...known.allowed, route.method] });
  }
  for (const { path, face, allowed } of methods.values()) router.all(path, methodNotAllowed(allowed, face));
  app.use(router);

  app.use(notFoundHandler);
  app.use(errorHandler(config.env === 'test'));
  return app;
}

import cors from 'cors';
import express, { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { checkFraud } from '../fraud/evaluate.ts';
import { newId } from '../ids.ts';
import { jobStats } from '../jobs/stats.ts';
import { createMetrics } from '../metrics/prometheus.ts';
import type { Services } from '../services.ts';
import { ApiError } from './errors.ts';
import { adminAuth, tenantAuth } from './middleware/auth.ts';
import { errorHandler, notFoundHandler } from './middleware/error-handler.ts';
import { ipRateLimit, tenantRateLimit } from './middleware/rate-limit.ts';
import { adminDlqRouter } from './routes/admin/dlq.ts';
import { adminFraudRulesRouter } from './routes/admin/fraud-rules.ts';
import { adminMetricsRouter } from './routes/admin/metrics.ts';
import { adminOpsRouter } from './routes/admin/ops.ts';
import { adminTenantsRouter } from './routes/admin/tenants.ts';
import { auditRouter } from './routes/audit.ts';
import { authRouter, registerRouter } from './routes/auth.ts';
import { eventsRouter } from './routes/events.ts';
import { fraudRulesRouter } from './routes/fraud-rules.ts';
import { healthRouter } from './routes/health.ts';
import { ordersRouter } from './routes/orders.ts';
import { createPaymentRoute, paymentsRouter } from './routes/payments.ts';
import { refundsRouter } from './routes/refunds.ts';
import { webhookDeliveriesRouter } from './routes/webhook-deliveries.ts';
import { webhookEndpointsRouter } from './routes/webhook-endpoints.ts';

export interface AppDeps extends Services {
  /** Whether this process's job queue is started (readiness). */
  jobs: { running(): boolean };
}

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** Past this many requests in flight the API answers 503 at once instead of queueing without bound. */
function inflightLimit(max: number): RequestHandler {
  let inflight = 0;
  return (_req, res, next) => {
    if (inflight >= max) {
      return next(new ApiError(503, 'api_error', 'overloaded', 'Too many requests in flight; try again shortly', undefined, { 'Retry-After': '1' }));
    }
    inflight++;
    res.once('close', () => inflight--);
    next();
  };
}

/** A body that is not JSON is refused, rather than silently parsed as empty. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    return next(new ApiError(415, 'invalid_request_error', 'unsupported_media_type', 'Send request bodies as JSON with Content-Type: application/json'));
  }
  next();
};

export function createApp(deps: AppDeps): express.Express {
  const { config, log, db } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : newId('request');
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Headers are never logged: they carry API keys.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/health' },
    }),
  );
  const metrics = createMetrics(deps);
  app.use(metrics.httpMiddleware);
  app.use(helmet());
  app.use(
    cors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(inflightLimit(config.maxInflightRequests));
  app.use(requireJsonBody);
  app.use(express.json({ limit: '100kb' }));

  app.use(healthRouter(deps));
  // Prometheus scrape endpoint; configure the scraper with the admin token as a bearer token.
  app.get('/metrics', adminAuth(db, config.adminToken), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const api = Router();

  // Operator routes: ADMIN_TOKEN only, and a 404 of their own so nothing falls through to tenant auth.
  const admin = Router();
  admin.use(adminAuth(db, config.adminToken));
  admin.use(adminDlqRouter(deps), adminOpsRouter(deps), adminTenantsRouter(deps), adminFraudRulesRouter(deps), adminMetricsRouter(deps));
  admin.use(notFoundHandler);
  api.use('/admin', admin);

  api.use(registerRouter(deps));
  // Job queue status without credentials, where earlier gateways' test suites look for it.
  api.get('/test/jobs/status', ipRateLimit(db, config.rateLimit.windowMs, config.rateLimit.tenantMax, 'public:'), async (_req, res) => {
    res.json(await jobStats(deps.boss));
  });

  const tenantLimit = tenantRateLimit(db, config.rateLimit.windowMs, config.rateLimit.tenantMax);
  // The browser checkout may create payments with the publishable key; everything else needs the secret key.
  api.post('/payments', tenantAuth(db, { allowPublishable: true }), tenantLimit, createPaymentRoute(deps, checkFraud));

  const tenant = Router();
  tenant.use(tenantAuth(db), tenantLimit);
  for (const router of [authRouter, ordersRouter, paymentsRouter, refundsRouter, eventsRouter, auditRouter, webhookEndpointsRouter, webhookDeliveriesRouter, fraudRulesRouter]) {
    tenant.use(router(deps));
  }
  api.use(tenant);

  app.use('/api/v1', api);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

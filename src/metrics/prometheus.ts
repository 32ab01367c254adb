import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BaseServices } from '../jobs/services.ts';
import { metricsSnapshot } from './snapshot.ts';

export interface Metrics {
  registry: Registry;
  /** Times every request, labelled by route pattern (never the raw URL, to bound cardinality). */
  httpMiddleware: RequestHandler;
}

function routeOf(req: Request): string {
  return req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
}

/** One registry per app (tests start several); business gauges are read from the database on scrape. */
export function createMetrics(svc: Pick<BaseServices, 'db' | 'boss' | 'config'>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sandpay_process_' });
  const labels = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'sandpay_http_requests_total', help: 'HTTP requests answered', labelNames: labels, registers: [registry] });
  const duration = new Histogram({
    name: 'sandpay_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: labels,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  let pending: ReturnType<typeof metricsSnapshot> | null = null;
  // The gauges below share one snapshot per scrape.
  const snapshot = () => (pending ??= metricsSnapshot(svc).finally(() => setImmediate(() => (pending = null))));
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, s: Awaited<ReturnType<typeof metricsSnapshot>>) => void) =>
    new Gauge({
      name, help, labelNames, registers: [registry],
      async collect() {
        this.reset();
        fill(this, await snapshot());
      },
    });
  gauge('sandpay_payments', 'Payments by status', ['status'], (g, s) => Object.entries(s.payments.by_status).forEach(([status, n]) => g.set({ status }, n)));
  gauge('sandpay_payments_last_hour', 'Payments created in the last hour', [], (g, s) => g.set(s.payments.last_hour));
  gauge('sandpay_webhook_deliveries', 'Webhook deliveries by status', ['status'], (g, s) => Object.entries(s.webhooks.deliveries_by_status).forEach(([status, n]) => g.set({ status }, n)));
  gauge('sandpay_webhook_dlq_depth', 'Dead webhook deliveries waiting for replay', [], (g, s) => g.set(s.webhooks.dlq_depth));
  gauge('sandpay_webhook_success_ratio', 'Share of delivery attempts answered 2xx in the last hour', [], (g, s) => g.set(s.webhooks.success_rate_last_hour ?? 1));
  gauge('sandpay_jobs', 'Jobs by state', ['state'], (g, s) => {
    for (const state of ['pending', 'processing', 'completed', 'failed', 'dead'] as const) g.set({ state }, s.jobs[state]);
  });
  gauge('sandpay_db_pool_connections', 'Database pool connections', ['state'], (g, s) => {
    g.set({ state: 'total' }, s.db_pool.total);
    g.set({ state: 'idle' }, s.db_pool.idle);
    g.set({ state: 'waiting' }, s.db_pool.waiting);
  });

  const httpMiddleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      const l = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
      requests.inc(l);
      end(l);
    });
    next();
  };
  return { registry, httpMiddleware };
}

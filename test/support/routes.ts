import type { Express } from 'express';

export type IdKind = 'payment' | 'order' | 'refund' | 'event' | 'endpoint' | 'delivery' | 'rule' | 'tenant' | 'deadDelivery' | 'globalRule';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Full path; `:id` is filled with an object of `id`'s kind. */
  path: string;
  auth: 'none' | 'tenant' | 'admin';
  id?: IdKind;
  /** A valid body, so that ownership (not validation) decides the answer in the isolation sweep. */
  body?: unknown;
  /** Needs an Idempotency-Key. */
  idem?: boolean;
}

/** Every route Sandpay serves. A test checks this list against the app's router, so it cannot go stale. */
export const ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/health', auth: 'none' },
  { method: 'GET', path: '/health/ready', auth: 'none' },
  { method: 'GET', path: '/api/v1/health/db', auth: 'none' },
  { method: 'GET', path: '/api/v1/test/jobs/status', auth: 'none' },
  { method: 'POST', path: '/api/v1/auth/register', auth: 'none', body: { name: 'x', email: 'x@example.com' } },

  { method: 'GET', path: '/api/v1/auth/me', auth: 'tenant' },
  { method: 'POST', path: '/api/v1/auth/keys/rotate', auth: 'tenant', body: { type: 'secret' } },
  { method: 'PATCH', path: '/api/v1/auth/settings', auth: 'tenant', body: {} },
  { method: 'POST', path: '/api/v1/orders', auth: 'tenant', body: { amount: 100, currency: 'INR' } },
  { method: 'GET', path: '/api/v1/orders', auth: 'tenant' },
  { method: 'GET', path: '/api/v1/orders/:id', auth: 'tenant', id: 'order' },
  { method: 'GET', path: '/api/v1/orders/:id/payments', auth: 'tenant', id: 'order' },
  { method: 'POST', path: '/api/v1/payments', auth: 'tenant', idem: true, body: { amount: 100, currency: 'INR', method: 'upi', vpa: 'success@sandpay' } },
  { method: 'GET', path: '/api/v1/payments', auth: 'tenant' },
  { method: 'GET', path: '/api/v1/payments/stats', auth: 'tenant' },
  { method: 'GET', path: '/api/v1/payments/:id', auth: 'tenant', id: 'payment' },
  { method: 'POST', path: '/api/v1/payments/:id/simulate', auth: 'tenant', id: 'payment', body: { outcome: 'success' } },
  { method: 'POST', path: '/api/v1/payments/:id/capture', auth: 'tenant', id: 'payment', body: {} },
  { method: 'POST', path: '/api/v1/payments/:id/cancel', auth: 'tenant', id: 'payment', body: {} },
  { method: 'POST', path: '/api/v1/payments/:id/refunds', auth: 'tenant', id: 'payment', body: { amount: 1 } },
  { method: 'GET', path: '/api/v1/payments/:id/refunds', auth: 'tenant', id: 'payment' },
  { method: 'GET', path: '/api/v1/payments/:id/audit', auth: 'tenant', id: 'payment' },
  { method: 'GET', path: '/api/v1/refunds', auth: 'tenant' },
  { method: 'GET', path: '/api/v1/refunds/:id', auth: 'tenant', id: 'refund' },
  { method: 'POST', path: '/api/v1/refunds/:id/simulate', auth: 'tenant', id: 'refund', body: { outcome: 'processed' } },
  { method: 'GET', path: '/api/v1/events', auth: 'tenant' },
  { method: 'GET', path: '/api/v1/events/:id', auth: 'tenant', id: 'event' },
  { method: 'GET', path: '/api/v1/audit/verify', auth: 'tenant' },
  { method: 'POST', path: '/api/v1/webhook-endpoints', auth: 'tenant', body: { url: 'http://127.0.0.1:9/x', events: ['*'] } },
  { method: 'GET', path: '/api/v1/webhook-endpoints', auth: 'tenant' },
  { method: 'GET', path: '/api/v1/webhook-endpoints/:id', auth: 'tenant', id: 'endpoint' },
  { method: 'PATCH', path: '/api/v1/webhook-endpoints/:id', auth: 'tenant', id: 'endpoint', body: { description: 'moved' } },
  { method: 'DELETE', path: '/api/v1/webhook-endpoints/:id', auth: 'tenant', id: 'endpoint' },
  { method: 'POST', path: '/api/v1/webhook-endpoints/:id/rotate-secret', auth: 'tenant', id: 'endpoint', body: {} },
  { method: 'GET', path: '/api/v1/webhook-deliveries', auth: 'tenant' },
  { method: 'GET', path: '/api/v1/webhook-deliveries/:id', auth: 'tenant', id: 'delivery' },
  { method: 'POST', path: '/api/v1/webhook-deliveries/replay', auth: 'tenant', body: {} },
  { method: 'POST', path: '/api/v1/webhook-deliveries/:id/retry', auth: 'tenant', id: 'delivery', body: {} },
  { method: 'GET', path: '/api/v1/fraud-rules', auth: 'tenant' },
  { method: 'POST', path: '/api/v1/fraud-rules', auth: 'tenant', body: { name: 'r', type: 'amount_limit', params: { max_amount: 1 }, action: 'flag', enabled: false } },
  { method: 'POST', path: '/api/v1/fraud-rules/test', auth: 'tenant', body: { amount: 1, currency: 'INR' } },
  { method: 'GET', path: '/api/v1/fraud-rules/:id', auth: 'tenant', id: 'rule' },
  { method: 'PATCH', path: '/api/v1/fraud-rules/:id', auth: 'tenant', id: 'rule', body: { enabled: false } },
  { method: 'DELETE', path: '/api/v1/fraud-rules/:id', auth: 'tenant', id: 'rule' },

  { method: 'GET', path: '/api/v1/admin/tenants', auth: 'admin' },
  { method: 'PATCH', path: '/api/v1/admin/tenants/:id', auth: 'admin', id: 'tenant', body: { disabled: false } },
  { method: 'GET', path: '/api/v1/admin/fraud-rules', auth: 'admin' },
  { method: 'POST', path: '/api/v1/admin/fraud-rules', auth: 'admin', body: { name: 'g', type: 'amount_limit', params: { max_amount: 1 }, action: 'flag', enabled: false } },
  { method: 'PATCH', path: '/api/v1/admin/fraud-rules/:id', auth: 'admin', id: 'globalRule', body: { enabled: false } },
  { method: 'GET', path: '/api/v1/admin/metrics', auth: 'admin' },
  { method: 'GET', path: '/api/v1/admin/audit/verify/:id', auth: 'admin', id: 'tenant' },
  { method: 'GET', path: '/api/v1/admin/dlq', auth: 'admin' },
  { method: 'POST', path: '/api/v1/admin/dlq/replay', auth: 'admin', body: {} },
  { method: 'POST', path: '/api/v1/admin/dlq/:id/replay', auth: 'admin', id: 'deadDelivery' },
  { method: 'GET', path: '/api/v1/admin/jobs', auth: 'admin' },
  { method: 'GET', path: '/api/v1/admin/reconciliation-runs', auth: 'admin' },
  { method: 'POST', path: '/api/v1/admin/reconciliation-runs', auth: 'admin' },
  { method: 'GET', path: '/metrics', auth: 'admin' },
];

/** METHOD + path of every route the app registers (paths relative to their router). */
export function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as any).router.stack);
  return out;
}

export const fill = (path: string, id: string) => path.replace(':id', encodeURIComponent(id));

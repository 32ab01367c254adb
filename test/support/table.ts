import type { Express } from 'express';
import { idKindOf, type AnyRoute } from '../../src/routing/route.ts';
import { ROUTES } from '../../src/contract/table.ts';

/** What the sweeps need of each route-table entry, in test terms. */
export interface SweepRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  auth: 'none' | 'tenant' | 'admin' | 'session' | 'face';
  /** The fixture its `:id` takes (an operator's rule or dead letter differs from a tenant's). */
  id?: string;
  body?: unknown;
  idem: boolean;
  route: AnyRoute;
}

/** Which fixture fills a route's :id. */
function fixtureOf(route: AnyRoute): string | undefined {
  const kind = idKindOf(route);
  if (!kind) return undefined;
  if (route.auth === 'admin' && kind === 'fraudRule') return 'globalRule';
  if (route.auth === 'admin' && kind === 'webhookDelivery') return 'deadDelivery';
  return kind;
}

/**
 * Every route of the table, as the sweeps send it. Streams and pages are left to their own tests,
 * and so are the gateway faces' routes (Razorpay's /v1), whose errors have their face's shape (test/faces/).
 */
export const SWEEP: SweepRoute[] = ROUTES.filter((r) => (!r.produces || r.produces === 'application/json') && !r.face).map((r) => ({
  method: r.method.toUpperCase() as SweepRoute['method'],
  path: r.path,
  auth: r.auth === 'secret' || r.auth === 'publishable' ? 'tenant' : r.auth,
  id: fixtureOf(r),
  body: r.example ?? (r.body ? {} : undefined),
  idem: r.idempotency === 'required',
  route: r,
}));

/** METHOD + full path of every route the app registers (405 fallbacks, which take every method, excluded). */
export function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route && !layer.route.methods._all) for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${prefix}${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack, prefix);
    }
  };
  walk((app as any).router.stack, '');
  return out;
}

export const fill = (path: string, id: string) => path.replace(/:(id|chain)/, encodeURIComponent(id));

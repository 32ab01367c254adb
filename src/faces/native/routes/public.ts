import { z } from 'zod';
import { databaseReady } from '../../../db/health.ts';
import { route, type RawReply } from '../../../routing/route.ts';

const readyObject = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.strictObject({ database: z.boolean(), migrations: z.boolean(), jobs: z.boolean() }),
});

/**
 * Liveness never touches the database; readiness checks the three things a request needs: a
 * reachable database, a fully migrated schema, and a running job queue. Neither says more.
 */
export const publicRoutes = [
  route({
    method: 'get', path: '/health', auth: 'none', tag: 'Health', summary: 'Liveness', response: z.strictObject({ status: z.literal('ok') }),
    handler: async () => ({ status: 'ok' as const }),
  }),
  route({
    method: 'get', path: '/health/ready', auth: 'none', tag: 'Health', summary: 'Readiness: database, migrations and job queue', response: readyObject,
    errors: [503],
    handler: async ({ svc }) => {
      const checks = { ...(await databaseReady(svc.db)), jobs: svc.jobs.running() };
      const ready = checks.database && checks.migrations && checks.jobs;
      const body = { status: ready ? ('ready' as const) : ('not_ready' as const), checks };
      return { raw: (res) => void res.status(ready ? 200 : 503).json(body) } satisfies RawReply;
    },
    produces: 'application/json',
  }),
  route({
    method: 'get', path: '/metrics', auth: 'admin', tag: 'Operators', summary: 'Prometheus metrics (scrape with the admin token as bearer token)',
    response: z.string(), produces: 'text/plain',
    handler: async ({ web }) => {
      const text = await web.prometheus.metrics();
      return { raw: (res) => void res.type(web.prometheus.contentType).send(text) } satisfies RawReply;
    },
  }),
];

import { z } from 'zod';
import { verifyChain } from '../../../audit/verify.ts';
import { chainVerificationObject } from '../../../audit/schemas.ts';
import { stateError } from '../../../core/errors.ts';
import { listOf } from '../../../core/schemas.ts';
import { jobStats } from '../../../jobs/stats.ts';
import { metricsSnapshot } from '../../../metrics/snapshot.ts';
import { listRuns, reconcile, runView } from '../../../reconcile/reconcile.ts';
import { deliveryView, requeueDeliveries, requeueOne, withAttempts } from '../../../webhooks/deliveries.ts';
import { listDeadLetters } from '../../../webhooks/store.ts';
import { adminDlqQuery, adminReplaySchema, deadLetterObject, deliveryObject, replayObject } from '../../../webhooks/schemas.ts';
import { databaseHealth } from '../../../db/health.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Operators';

const jobStatsObject = z.looseObject({
  pending: z.number().int(), processing: z.number().int(), completed: z.number().int(), failed: z.number().int(), dead: z.number().int(),
  worker_status: z.enum(['running', 'stopped']),
}).meta({ id: 'JobStats' });

const runObject = z.strictObject({
  id: z.number().int(), object: z.literal('reconciliation_run'), trigger: z.enum(['schedule', 'admin']), expired_payments: z.number().int(),
  requeued_deliveries: z.number().int(), duration_ms: z.number(), error: z.string().nullable(), started_at: z.string(), finished_at: z.string(),
});

const runsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.coerce.number().int().min(1).optional(),
});

export const operatorRoutes = [
  route({
    method: 'get', path: '/api/v1/admin/dlq', auth: 'admin', tag, summary: 'Dead-letter queue across tenants', query: adminDlqQuery, response: listOf(deadLetterObject),
    handler: async ({ db, query: q }) => {
      const page = await listDeadLetters(db, { tenantId: q.tenant_id, endpointId: q.endpoint_id, eventId: q.event_id }, pageArgs(q), (d) => ({ ...deliveryView(d), tenant_id: d.tenant_id }));
      return { ...page, data: await withAttempts(db, page.data) };
    },
  }),
  route({
    method: 'post', path: '/api/v1/admin/dlq/replay', auth: 'admin', tag, write: true, summary: 'Replay dead deliveries in bulk (batches of at most 1000)',
    body: adminReplaySchema, response: replayObject, example: { limit: 100 },
    handler: async ({ t, svc, actor, requestId, body }) => {
      const rows = await requeueDeliveries(
        t, svc, { tenantId: body.tenant_id ?? null, statuses: ['dead'], endpointId: body.endpoint_id, since: body.since, limit: body.limit, resetRound: true },
        actor, requestId, 'webhook_delivery.replayed',
      );
      return { object: 'replay' as const, requeued: rows.length, delivery_ids: rows.map((r) => r.id) };
    },
  }),
  route({
    method: 'post', path: '/api/v1/admin/dlq/:id/replay', auth: 'admin', tag, write: true, summary: 'Replay one dead delivery',
    params: byId('webhookDelivery', 'webhook delivery'), response: deliveryObject, errors: [409],
    handler: ({ t, svc, actor, requestId, params: p }) =>
      requeueOne(t, svc, {
        id: p.id, tenantId: null, statuses: ['dead'], action: 'webhook_delivery.replayed',
        refuse: (status) => stateError('delivery_not_dead', `Delivery is ${status}; only dead deliveries are in the dead-letter queue`),
      }, actor, requestId),
  }),
  route({
    method: 'get', path: '/api/v1/admin/jobs', auth: 'admin', tag, summary: 'Job queue counts from pg-boss', response: jobStatsObject,
    handler: ({ svc }) => jobStats(svc.boss),
  }),
  route({
    method: 'get', path: '/api/v1/test/jobs/status', auth: 'admin', tag, summary: 'Job queue counts (where earlier gateways\' test suites look)', response: jobStatsObject,
    handler: ({ svc }) => jobStats(svc.boss),
  }),
  route({
    method: 'get', path: '/api/v1/admin/metrics', auth: 'admin', tag, summary: 'Payments, webhook health, DLQ depth, queues and pool, as JSON',
    response: z.looseObject({ object: z.literal('metrics'), generated_at: z.string() }),
    handler: ({ svc }) => metricsSnapshot(svc),
  }),
  route({
    method: 'get', path: '/api/v1/admin/reconciliation-runs', auth: 'admin', tag, summary: 'Reconciliation history', query: runsQuery, response: listOf(runObject),
    handler: ({ db, query: q }) => listRuns(db, q.limit, q.starting_after),
  }),
  route({
    method: 'post', path: '/api/v1/admin/reconciliation-runs', auth: 'admin', tag, status: 201, summary: 'Run reconciliation now', response: runObject,
    handler: async ({ svc }) => runView(await reconcile(svc, 'admin')),
  }),
  route({
    method: 'get', path: '/api/v1/admin/audit/verify/:chain', auth: 'admin', tag, summary: "Verify any tenant's audit chain, or `global`",
    params: z.strictObject({ chain: z.string().min(1).max(100).meta({ description: 'A tenant id, or global' }) }), response: chainVerificationObject,
    handler: ({ svc, params: p }) => verifyChain(svc, p.chain),
  }),
  route({
    method: 'get', path: '/api/v1/health/db', auth: 'admin', tag, summary: 'Database version, latency, migrations and pool',
    response: z.looseObject({ status: z.enum(['ok', 'unavailable']) }),
    handler: async ({ svc }) => databaseHealth(svc.db),
  }),
];

import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app.ts';
import { actorOf, requestId } from '../../context.ts';
import { notFound, stateError } from '../../errors.ts';
import { listWhere, pageQuery, paginate } from '../../pagination.ts';
import { parseBody, parseQuery, timestampQuerySchema } from '../../validate.ts';
import { isId } from '../../../ids.ts';
import { deliveryView, requeueDeliveries, requeueOne, withAttempts, type DbDelivery, type DeliveryView } from '../../../webhooks/deliveries.ts';
import { REPLAY_BATCH_MAX } from '../webhook-deliveries.ts';

const listSchema = z.strictObject({
  ...pageQuery,
  tenant_id: z.string().min(1).max(100).optional(),
  endpoint_id: z.string().min(1).max(100).optional(),
  event_id: z.string().min(1).max(100).optional(),
});

const bulkSchema = z.strictObject({
  tenant_id: z.string().min(1).max(100).optional(),
  endpoint_id: z.string().min(1).max(100).optional(),
  since: timestampQuerySchema.optional(),
  limit: z.number().int().min(1).max(REPLAY_BATCH_MAX).default(REPLAY_BATCH_MAX),
});

/** The operator's dead-letter queue: dead deliveries of every tenant. */
export function adminDlqRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/dlq', async (req, res) => {
    const q = parseQuery(listSchema, req.query);
    const filter = listWhere({ tenant_id: q.tenant_id, endpoint_id: q.endpoint_id, event_id: q.event_id }, [`status = 'dead'`]);
    const page = await paginate<DbDelivery, DeliveryView & { tenant_id: string }>(
      db, { table: 'webhook_deliveries', ...filter, limit: q.limit, startingAfter: q.starting_after },
      (d) => ({ ...deliveryView(d), tenant_id: d.tenant_id }),
    );
    res.json({ ...page, data: await withAttempts(db, page.data) });
  });

  router.post('/dlq/replay', async (req, res) => {
    const input = parseBody(bulkSchema, req.body);
    const rows = await db.tx((t) =>
      requeueDeliveries(
        t, deps,
        { tenantId: input.tenant_id ?? null, statuses: ['dead'], endpointId: input.endpoint_id, since: input.since, limit: input.limit, resetRound: true },
        actorOf(req), requestId(req), 'webhook_delivery.replayed',
      ),
    );
    res.json({ object: 'replay', requeued: rows.length, delivery_ids: rows.map((r) => r.id) });
  });

  router.post('/dlq/:id/replay', async (req, res) => {
    const id = req.params.id;
    if (!isId('webhookDelivery', id)) throw notFound('webhook delivery');
    const view = await db.tx((t) =>
      requeueOne(t, deps, {
        id,
        tenantId: null,
        statuses: ['dead'],
        action: 'webhook_delivery.replayed',
        refuse: (status) => stateError('delivery_not_dead', `Delivery is ${status}; only dead deliveries are in the dead-letter queue`),
      }, actorOf(req), requestId(req)),
    );
    res.json(view);
  });

  return router;
}

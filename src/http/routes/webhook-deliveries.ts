import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { tenantOf } from '../context.ts';
import { notFound, stateError } from '../errors.ts';
import { mutation } from '../mutation.ts';
import { listWhere, pageQuery, paginate } from '../pagination.ts';
import { parseQuery, timestampQuerySchema } from '../validate.ts';
import { isId } from '../../ids.ts';
import {
  DELIVERY_STATUSES, deliveryView, getDelivery, requeueDeliveries, requeueOne, withAttempts, type DbDelivery, type DeliveryView,
} from '../../webhooks/deliveries.ts';

export const REPLAY_BATCH_MAX = 1000;

const listSchema = z.strictObject({
  ...pageQuery,
  status: z.enum(DELIVERY_STATUSES).optional(),
  endpoint_id: z.string().min(1).max(100).optional(),
  event_id: z.string().min(1).max(100).optional(),
});

const replaySchema = z.strictObject({
  status: z.literal('dead', { error: 'only dead deliveries are replayed in bulk' }).default('dead'),
  since: timestampQuerySchema.optional(),
  endpoint_id: z.string().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(REPLAY_BATCH_MAX).default(REPLAY_BATCH_MAX),
});

function deliveryId(id: string): string {
  if (!isId('webhookDelivery', id)) throw notFound('webhook delivery');
  return id;
}

export function webhookDeliveriesRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/webhook-deliveries', async (req, res) => {
    const q = parseQuery(listSchema, req.query);
    const filter = listWhere({ tenant_id: tenantOf(req).id, status: q.status, endpoint_id: q.endpoint_id, event_id: q.event_id });
    const page = await paginate<DbDelivery, DeliveryView>(db, { table: 'webhook_deliveries', ...filter, limit: q.limit, startingAfter: q.starting_after }, (d) => deliveryView(d));
    res.json({ ...page, data: await withAttempts(db, page.data) });
  });

  router.get('/webhook-deliveries/:id', async (req, res) => {
    const d = await getDelivery(db, deliveryId(req.params.id), tenantOf(req).id);
    const [view] = await withAttempts(db, [deliveryView(d)]);
    res.json(view);
  });

  // Bulk replay of dead deliveries (bounded batch); answers how many were queued.
  router.post(
    '/webhook-deliveries/replay',
    mutation(deps, replaySchema, async (t, input, ctx) => {
      const rows = await requeueDeliveries(
        t, deps,
        { tenantId: ctx.tenant.id, statuses: ['dead'], endpointId: input.endpoint_id, since: input.since, limit: input.limit, resetRound: true },
        ctx.actor, ctx.requestId, 'webhook_delivery.replayed',
      );
      return { status: 200, body: { object: 'replay', requeued: rows.length, delivery_ids: rows.map((r) => r.id) } };
    }),
  );

  // Manual retry of any settled delivery (dead, failed or delivered): a fresh round of attempts now.
  router.post(
    '/webhook-deliveries/:id/retry',
    mutation(deps, z.strictObject({}), async (t, _input, ctx, req) => {
      const view = await requeueOne(t, deps, {
        id: deliveryId(String(req.params.id)),
        tenantId: ctx.tenant.id,
        statuses: ['dead', 'failed', 'delivered'],
        action: 'webhook_delivery.retried',
        refuse: (status) => stateError('delivery_in_progress', `Delivery is ${status} and already queued or being attempted; retry it once it settles`),
      }, ctx.actor, ctx.requestId);
      return { status: 200, body: view };
    }),
  );

  return router;
}

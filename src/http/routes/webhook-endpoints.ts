import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { tenantOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { ctxOf, mutation } from '../mutation.ts';
import { listWhere, pageQuery, paginate } from '../pagination.ts';
import { parseBody, parseQuery } from '../validate.ts';
import { EVENT_TYPES } from '../../events/events.ts';
import { isId } from '../../ids.ts';
import { createEndpoint, deleteEndpoint, endpointView, getEndpoint, rotateEndpointSecret, updateEndpoint, type DbEndpoint } from '../../webhooks/endpoints.ts';

const eventsSchema = z
  .array(z.enum(['*', ...EVENT_TYPES]))
  .min(1, 'must list at least one event type, or "*"')
  .max(EVENT_TYPES.length + 1)
  .transform((xs) => [...new Set(xs)]);

const urlSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

const createSchema = z.strictObject({
  url: urlSchema,
  events: eventsSchema,
  description: z.string().max(500).optional(),
  enabled: z.boolean().optional(),
});
const patchSchema = createSchema.partial();

function endpointId(id: string): string {
  if (!isId('webhookEndpoint', id)) throw notFound('webhook endpoint');
  return id;
}

export function webhookEndpointsRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  router.post(
    '/webhook-endpoints',
    mutation(deps, createSchema, async (t, input, ctx) => {
      const e = await createEndpoint(t, ctx, input);
      // The signing secret is shown here and on rotation only.
      return { status: 201, body: { ...endpointView(e), secret: e.secret } };
    }),
  );

  router.get('/webhook-endpoints', async (req, res) => {
    const q = parseQuery(z.strictObject(pageQuery), req.query);
    res.json(
      await paginate<DbEndpoint, ReturnType<typeof endpointView>>(
        db,
        { table: 'webhook_endpoints', ...listWhere({ tenant_id: tenantOf(req).id }, ['deleted_at IS NULL']), limit: q.limit, startingAfter: q.starting_after },
        endpointView,
      ),
    );
  });

  router.get('/webhook-endpoints/:id', async (req, res) => {
    res.json(endpointView(await getEndpoint(db, tenantOf(req).id, endpointId(req.params.id))));
  });

  router.patch('/webhook-endpoints/:id', async (req, res) => {
    const patch = parseBody(patchSchema, req.body);
    const e = await db.tx((t) => updateEndpoint(t, ctxOf(req, deps), endpointId(String(req.params.id)), patch));
    res.json(endpointView(e));
  });

  router.delete('/webhook-endpoints/:id', async (req, res) => {
    const id = endpointId(req.params.id);
    await db.tx((t) => deleteEndpoint(t, ctxOf(req, deps), id));
    res.json({ id, object: 'webhook_endpoint', deleted: true });
  });

  router.post(
    '/webhook-endpoints/:id/rotate-secret',
    mutation(deps, z.strictObject({}), async (t, _input, ctx, req) => {
      const e = await rotateEndpointSecret(t, ctx, endpointId(String(req.params.id)));
      return { status: 200, body: { ...endpointView(e), secret: e.secret } };
    }),
  );

  return router;
}

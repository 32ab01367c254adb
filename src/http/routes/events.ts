import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { tenantOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { listWhere, pageQuery, paginate } from '../pagination.ts';
import { parseQuery } from '../validate.ts';
import { EVENT_TYPES, eventBody, type DbEvent } from '../../events/events.ts';
import { isId } from '../../ids.ts';

const listSchema = z.strictObject({
  ...pageQuery,
  type: z.enum(EVENT_TYPES).optional(),
  object_id: z.string().min(1).max(100).optional(),
});

export function eventsRouter({ db }: AppDeps): Router {
  const router = Router();

  router.get('/events', async (req, res) => {
    const q = parseQuery(listSchema, req.query);
    const filter = listWhere({ tenant_id: tenantOf(req).id, type: q.type, object_id: q.object_id });
    res.json(await paginate<DbEvent, ReturnType<typeof eventBody>>(db, { table: 'events', ...filter, limit: q.limit, startingAfter: q.starting_after }, eventBody));
  });

  router.get('/events/:id', async (req, res) => {
    const id = req.params.id;
    const e = isId('event', id) ? await db.maybeOne<DbEvent>('SELECT * FROM events WHERE id = $1::text AND tenant_id = $2::text', [id, tenantOf(req).id]) : undefined;
    if (!e) throw notFound('event');
    res.json(eventBody(e));
  });

  return router;
}

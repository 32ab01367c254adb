import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { tenantOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { pageQuery, paginate } from '../pagination.ts';
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
    const where = ['tenant_id = $1::text'];
    const params: unknown[] = [tenantOf(req).id];
    if (q.type) {
      params.push(q.type);
      where.push(`type = $${params.length}::text`);
    }
    if (q.object_id) {
      params.push(q.object_id);
      where.push(`object_id = $${params.length}::text`);
    }
    res.json(await paginate<DbEvent, ReturnType<typeof eventBody>>(db, { table: 'events', where, params, limit: q.limit, startingAfter: q.starting_after }, eventBody));
  });

  router.get('/events/:id', async (req, res) => {
    const id = req.params.id;
    const e = isId('event', id) ? await db.maybeOne<DbEvent>('SELECT * FROM events WHERE id = $1::text AND tenant_id = $2::text', [id, tenantOf(req).id]) : undefined;
    if (!e) throw notFound('event');
    res.json(eventBody(e));
  });

  return router;
}

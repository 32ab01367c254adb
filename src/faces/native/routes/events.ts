import { listOf } from '../../../core/schemas.ts';
import { listWhere, paginate } from '../../../db/paginate.ts';
import { eventBody, getEvent, type DbEvent } from '../../../events/events.ts';
import { anyEventObject, listEventsQuery } from '../../../events/schemas.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Events';

export const eventRoutes = [
  route({
    method: 'get', path: '/api/v1/events', auth: 'secret', permission: { resource: 'events', level: 'read' }, tag, summary: 'List events', query: listEventsQuery, response: listOf(anyEventObject),
    handler: ({ db, ctx, query: q }) =>
      paginate<DbEvent, ReturnType<typeof eventBody>>(db, { table: 'events', ...listWhere({ tenant_id: ctx.tenant.id, type: q.type, object_id: q.object_id }), ...pageArgs(q) }, eventBody),
  }),
  route({
    method: 'get', path: '/api/v1/events/:id', auth: 'secret', permission: { resource: 'events', level: 'read' }, tag, summary: 'Retrieve an event: exactly the webhook body', params: byId('event', 'event'), response: anyEventObject,
    handler: async ({ db, ctx, params: p }) => eventBody(await getEvent(db, ctx.tenant.id, p.id)),
  }),
];

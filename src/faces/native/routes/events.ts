import { listOf } from '../../../core/schemas.ts';
import { eventBody } from '../../../events/events.ts';
import { getNativeEvent, listEvents } from '../../../events/store.ts';
import { anyEventObject, listEventsQuery } from '../../../events/schemas.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Events';

export const eventRoutes = [
  route({
    method: 'get', path: '/api/v1/events', auth: 'secret', permission: { resource: 'events', level: 'read' }, tag, summary: 'List events', query: listEventsQuery, response: listOf(anyEventObject),
    handler: ({ db, ctx, query: q }) => listEvents(db, ctx.tenant.id, { type: q.type, objectId: q.object_id }, pageArgs(q), eventBody),
  }),
  route({
    method: 'get', path: '/api/v1/events/:id', auth: 'secret', permission: { resource: 'events', level: 'read' }, tag, summary: 'Retrieve an event: exactly the webhook body', params: byId('event', 'event'), response: anyEventObject,
    handler: async ({ db, ctx, params: p }) => eventBody(await getNativeEvent(db, ctx.tenant.id, p.id)),
  }),
];

import { z } from 'zod';
import { badRequest } from '../../../core/errors.ts';
import { route } from '../../../routing/route.ts';
import { listStripeEvents, retrieveEvent } from '../events-api.ts';
import { expandAll } from '../expand.ts';
import { EXPANDERS } from '../expanders.ts';
import { expand, listOf, listParams } from '../schemas.ts';
import { base, createdRange, idParams, listUrl, read } from './common.ts';

const event = z.looseObject({ id: z.string(), object: z.literal('event'), type: z.string(), data: z.looseObject({ object: z.looseObject({}) }) }).meta({ id: 'StripeEvent' });

const eventName = z.string().regex(/^[a-z_*]+(\.[a-z_*]+)*$/, 'must be an event type such as payment_intent.succeeded, or a pattern such as payment_intent.*').max(100);

const listQuery = z.strictObject({
  ...listParams,
  type: eventName.optional(),
  types: z.array(eventName.refine((n) => !n.includes('*'), 'takes event types without wildcards')).min(1).max(20).optional(),
});

export const eventRoutes = [
  route({
    ...base, ...read('events'), method: 'get', path: '/v1/events', summary: 'List events (Stripe): the ledger\'s events that have a Stripe name, newest first', query: listQuery,
    response: listOf(event),
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      if (q.type !== undefined && q.types !== undefined) throw badRequest('parameter_invalid', 'Send type or types, not both', 'types');
      const page = await listStripeEvents(db, ctx.tenant.id, {
        limit: q.limit ?? 10, type: q.type, types: q.types, ...createdRange(q.created), startingAfter: q.starting_after, endingBefore: q.ending_before,
      });
      return expandAll(db, ctx.tenant.id, baseUrl, { object: 'list', data: page.data, has_more: page.hasMore, url: listUrl('events') }, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('events'), method: 'get', path: '/v1/events/:id', summary: 'Retrieve an event (Stripe): as a Stripe-format endpoint gets it', params: idParams, query: z.strictObject({ expand }),
    response: event,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) => expandAll(db, ctx.tenant.id, baseUrl, await retrieveEvent(db, ctx.tenant.id, p.id), q.expand, EXPANDERS),
  }),
];

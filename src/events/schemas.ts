import { z } from 'zod';
import { API_VERSION, isoTime, pageQuery } from '../core/schemas.ts';
import { EVENT_TYPES } from './events.ts';


/** The event envelope; `data.object` is the object as the API shows it at that moment. */
export function eventObject<T extends z.ZodType>(object: T, types: readonly string[] = EVENT_TYPES) {
  return z.strictObject({
    id: z.string().meta({ description: 'evt_…: the same across retries and replays (the webhook-id header)' }),
    object: z.literal('event'),
    api_version: z.literal(API_VERSION),
    type: z.enum(types as [string, ...string[]]),
    created_at: isoTime,
    data: z.strictObject({ object }),
  });
}

export const anyEventObject = eventObject(z.looseObject({ id: z.string(), object: z.string() })).meta({ id: 'Event' });

export const listEventsQuery = z.strictObject({
  ...pageQuery,
  type: z.enum(EVENT_TYPES).optional(),
  object_id: z.string().min(1).max(100).optional(),
});

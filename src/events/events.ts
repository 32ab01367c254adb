import { API_VERSION } from '../core/schemas.ts';
import type { DbEvent } from './types.ts';

export { EVENT_TYPES } from './types.ts';
export type { ApiObject, DbEvent, EmittedEvent, EventType, NewEvent } from './types.ts';

/** The event exactly as a webhook delivers it (and as GET /events/:id shows it). */
export function eventBody(e: Pick<DbEvent, 'id' | 'type' | 'created_at' | 'payload'>) {
  return { id: e.id, object: 'event' as const, api_version: API_VERSION, type: e.type, created_at: e.created_at.toISOString(), data: { object: e.payload } };
}

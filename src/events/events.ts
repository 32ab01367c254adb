import type { Queryable } from '../db/pool.ts';
import { API_VERSION } from '../core/schemas.ts';
import { ownedRow } from '../db/owned.ts';
import type { DbEvent } from './types.ts';

export { EVENT_TYPES } from './types.ts';
export type { ApiObject, DbEvent, EmittedEvent, EventType, NewEvent } from './types.ts';

/** The event exactly as a webhook delivers it (and as GET /events/:id shows it). */
export function eventBody(e: Pick<DbEvent, 'id' | 'type' | 'created_at' | 'payload'>) {
  return { id: e.id, object: 'event' as const, api_version: API_VERSION, type: e.type, created_at: e.created_at.toISOString(), data: { object: e.payload } };
}

/** One of the tenant's events; another tenant's is not found. */
export async function getEvent(db: Queryable, tenantId: string, id: string): Promise<DbEvent> {
  return ownedRow<DbEvent>(db, 'events', tenantId, id, { what: 'event' });
}

/**
 * The tenant's events about a payment or one of its refunds, oldest first, at most `limit` (a
 * payment's timeline).
 */
export async function eventsOfPayment(db: Queryable, tenantId: string, paymentId: string, limit: number): Promise<DbEvent[]> {
  // joins refunds (owned by src/refunds): the refunds' ids select their events in the same
  // indexed statement; the refunds folder sits above this one, so it cannot be asked first.
  return db.rows<DbEvent>(
    `SELECT * FROM events
      WHERE tenant_id = $1::text
        AND object_id IN (SELECT $2::text UNION ALL SELECT id FROM refunds WHERE tenant_id = $1::text AND payment_id = $2::text)
      ORDER BY created_at, id
      LIMIT $3::int`,
    [tenantId, paymentId, limit],
  );
}

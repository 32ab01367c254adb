import type { Queryable } from '../db/pool.ts';
import { ownedRow } from '../db/owned.ts';
import { listPage, type CursorArgs, type Page } from '../db/paginate.ts';
import { notFound } from '../core/errors.ts';
import { isNativeEvent, type DbEvent } from './types.ts';

/**
 * The event log's reads: the API's, a payment's timeline, the live feed and the faces' lists.
 * events (owned by src/webhooks): the outbox (src/webhooks/outbox.ts) writes the log, with the
 * deliveries each event fans out to, in one statement; this folder sits below it (webhooks build
 * their bodies from its catalogue), so the reads are here, beside the catalogue and the streams,
 * and the log is never written from here.
 */

/**
 * Sandpay's own reads (its event API, the stream, a dashboard, the CLI) skip a face's own events
 * (Stripe's customer.created): those have no native name, face_names' "sandpay" entry says so
 * (migration 0027). A gateway face's reads (listEventsNamed) and getEvent see every event.
 */
const native = (table = 'events') => `(${table}.face_names -> 'sandpay') IS NULL`;

/** One of the tenant's events, a face's own too; another tenant's is not found. */
/**
 * Whether the tenant has an event other than its clock's own (every object Sandpay dates raises
 * one): a clock may go back to real time only before.
 */
export async function tenantHasEvents(db: Queryable, tenantId: string): Promise<boolean> {
  return (await db.maybeOne(`SELECT 1 FROM events WHERE tenant_id = $1::text AND type <> 'test_clock.ready' LIMIT 1`, [tenantId])) !== undefined;
}

export function getEvent(db: Queryable, tenantId: string, id: string): Promise<DbEvent> {
  return ownedRow<DbEvent>(db, 'events', tenantId, id, { what: 'event' });
}

/** One of the tenant's native events: a face's own is not found either. */
export async function getNativeEvent(db: Queryable, tenantId: string, id: string): Promise<DbEvent> {
  const e = await getEvent(db, tenantId, id);
  if (!isNativeEvent(e)) throw notFound('event');
  return e;
}

/**
 * The tenant's events about a payment or one of its refunds, oldest first, at most `limit` (a
 * payment's timeline).
 */
export function eventsOfPayment(db: Queryable, tenantId: string, paymentId: string, limit: number): Promise<DbEvent[]> {
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

/** A page of the tenant's native events, newest first. */
export function listEvents<T>(db: Queryable, tenantId: string, filter: { type?: string | undefined; objectId?: string | undefined }, page: CursorArgs, view: (e: DbEvent) => T): Promise<Page<T>> {
  return listPage(db, { table: 'events', tenantId, fixed: [native()], filters: { type: filter.type, object_id: filter.objectId } }, page, view);
}

/** An event of the live feed, with its position (text) and whether a transaction older than it may still commit (`held`). */
export type FeedRow = Pick<DbEvent, 'id' | 'type' | 'created_at' | 'payload'> & { tx: string; pos: string; held: boolean };

/** The tenant's native events after position (tx, pos), in commit-safe order, at most `limit`. */
export function eventsAfter(db: Queryable, tenantId: string, tx: string, pos: string, limit: number): Promise<FeedRow[]> {
  return db.rows<FeedRow>(
    // Qualified: a bare "ORDER BY tx" would sort by the text output columns.
    `SELECT e.id, e.type, e.created_at, e.payload, e.tx::text AS tx, e.pos::text AS pos,
            e.tx >= pg_snapshot_xmin(pg_current_snapshot()) AS held
       FROM events e
      WHERE e.tenant_id = $1::text AND (e.tx, e.pos) > ($2::xid8, $3::bigint) AND ${native('e')}
      ORDER BY e.tx, e.pos
      LIMIT $4::int`,
    [tenantId, tx, pos, limit],
  );
}

/** The current snapshot's horizon (xmin) and end (xmax), and the tenant's native events at or above the horizon. */
export function feedHorizon(db: Queryable, tenantId: string): Promise<{ xmin: string; xmax: string; recent: string[] }> {
  return db.one<{ xmin: string; xmax: string; recent: string[] }>(
    `SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax,
            array(SELECT id FROM events WHERE tenant_id = $1::text AND tx >= pg_snapshot_xmin(s) AND ${native()}) AS recent
       FROM pg_current_snapshot() AS s`,
    [tenantId],
  );
}

/**
 * A page of the tenant's events that have a name in gateway face `face` matching the regular
 * expression `pattern` (as the outbox kept their names: face_names), created within the range,
 * newest first.
 */
export function listEventsNamed<T>(
  db: Queryable, tenantId: string, filter: { face: string; pattern: string; createdFrom?: Date | undefined; createdTo?: Date | undefined }, page: CursorArgs, view: (e: DbEvent) => T,
): Promise<Page<T>> {
  return listPage(db, {
    table: 'events', tenantId,
    filters: { 'created_at >=': filter.createdFrom, 'created_at <=': filter.createdTo },
    conditions: [{
      value: [filter.face, filter.pattern],
      sql: (p) => `EXISTS (SELECT 1 FROM jsonb_array_elements_text(events.face_names -> (${p}::text[])[1]) AS n (name) WHERE n.name ~ (${p}::text[])[2])`,
    }],
  }, page, view);
}

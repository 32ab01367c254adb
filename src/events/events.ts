import type { Queryable, Tx } from '../db/pool.ts';
import { notFound } from '../core/errors.ts';
import { API_VERSION } from '../core/schemas.ts';
import { newId } from '../ids.ts';
import type { Ctx } from '../services.ts';
import { razorpayEventOf } from '../razorpay/events.ts';
import { deferDeliveryJobs, FAN_OUT_TARGETS } from '../webhooks/fanout.ts';
import { EVENTS_CHANNEL } from './hub.ts';
import type { DbEvent, NewEvent } from './types.ts';

export { EVENT_TYPES } from './types.ts';
export type { ApiObject, DbEvent, EmittedEvent, EventType, NewEvent } from './types.ts';

const PENDING = Symbol('pending events');

/**
 * Queues events in the caller's transaction. They are written to the outbox just before COMMIT,
 * all of them in one INSERT and one fan-out to webhook deliveries, so an event exists exactly
 * when its state change committed and a transaction costs the same few statements however
 * many events it raises. Order is kept: created_at follows the order of the calls.
 */
export function emitEvents(t: Tx, ctx: Ctx, events: NewEvent[]): void {
  let pending = t.scratch.get(PENDING) as NewEvent[] | undefined;
  if (!pending) {
    pending = [];
    t.scratch.set(PENDING, pending);
    const queued = pending;
    t.beforeCommit(() => writeEvents(t, ctx, queued));
  }
  pending.push(...events);
}


async function writeEvents(t: Tx, ctx: Ctx, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const ids = events.map(() => newId('event'));
  // One statement writes the events and fans them out to webhook deliveries (FAN_OUT_TARGETS:
  // one per enabled endpoint that wants the type, plus the payment's own webhook_url; ids made
  // in SQL); a second inserts the deliveries' jobs, reading them back. Neither needs an answer,
  // so both go with the COMMIT. The NOTIFY is delivered at COMMIT and dropped on ROLLBACK, so
  // event streams are told of exactly the events that exist (their positions, tx and pos, come
  // from column defaults).
  t.defer(
    `WITH written AS (
       INSERT INTO events (id, tenant_id, type, object_type, object_id, payment_id, payload)
       SELECT id, $1::text, type, object_type, object_id, payment_id, payload
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::json[])
              WITH ORDINALITY AS e (id, type, object_type, object_id, payment_id, payload, n)
        ORDER BY n
     ),
     ${FAN_OUT_TARGETS},
     deliveries AS (
       INSERT INTO webhook_deliveries (id, tenant_id, event_id, event_type, endpoint_id, target, url, status, job_id)
       SELECT 'whd_' || random_public_id(), $1::text, event_id, event_type, endpoint_id,
              CASE WHEN endpoint_id IS NULL THEN 'payment_url' ELSE 'endpoint' END, url, 'pending', gen_random_uuid()
         FROM targets
     )
     SELECT pg_notify('${EVENTS_CHANNEL}', $1::text)`,
    [
      ctx.tenant.id,
      ids,
      events.map((e) => e.type),
      events.map((e) => e.object.object),
      events.map((e) => e.object.id),
      events.map((e) => e.paymentId),
      events.map((e) => JSON.stringify(e.object)),
      events.map((e) => razorpayEventOf(e.type)),
    ],
  );
  await deferDeliveryJobs(t, ctx, ids);
}

/** The event exactly as a webhook delivers it (and as GET /events/:id shows it). */
export function eventBody(e: Pick<DbEvent, 'id' | 'type' | 'created_at' | 'payload'>) {
  return { id: e.id, object: 'event' as const, api_version: API_VERSION, type: e.type, created_at: e.created_at.toISOString(), data: { object: e.payload } };
}

/** One of the tenant's events; another tenant's is not found. */
export async function getEvent(db: Queryable, tenantId: string, id: string): Promise<DbEvent> {
  const e = await db.maybeOne<DbEvent>('SELECT * FROM events WHERE id = $1::text AND tenant_id = $2::text', [id, tenantId]);
  if (!e) throw notFound('event');
  return e;
}

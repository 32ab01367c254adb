import type { Tx } from '../db/pool.ts';
import { EVENTS_CHANNEL } from '../events/hub.ts';
import type { NewEvent } from '../events/types.ts';

/**
 * Where freshly written events go: one delivery per enabled endpoint subscribed to the type (or
 * "*", or for an endpoint of a gateway face, the event's name there), plus one to the payment's
 * own webhook_url. A CTE named `targets` for the statement that writes the events (below), over
 * its parameters: $1 tenant, $2 event ids, $3 types, $6 payment ids, $8 each event's names in
 * the faces (JSON, from faceNames). The deliveries are written by that same statement, so
 * nothing is held in memory and a crash after commit loses nothing.
 */
// joins payments (owned by src/payments): the payment's webhook_url is a target of the same statement.
const FAN_OUT_TARGETS = `targets AS (
       SELECT e.id AS event_id, e.type AS event_type, w.id AS endpoint_id, w.url
         FROM unnest($2::text[], $3::text[], $8::json[]) AS e (id, type, face_names)
         JOIN webhook_endpoints w ON w.tenant_id = $1::text AND w.enabled AND w.deleted_at IS NULL
                                 AND webhook_wants(w.format, w.events, e.type, e.face_names ->> w.format)
       UNION ALL
       SELECT e.id, e.type, NULL, p.webhook_url
         FROM unnest($2::text[], $3::text[], $6::text[]) AS e (id, type, payment_id)
         JOIN payments p ON p.id = e.payment_id AND p.webhook_url IS NOT NULL
     )`;

/** An event to write: its id, and its names in the gateway faces (JSON, from faceNames). */
export interface EventToWrite {
  id: string;
  event: NewEvent;
  faceNames: string;
}

/**
 * The outbox's one statement (src/outbox/outbox.ts), sent with the COMMIT: writes a transaction's
 * events in order and fans them out to webhook deliveries (FAN_OUT_TARGETS; ids made in SQL),
 * every one of them owned by the delivery job `jobId`. The NOTIFY is delivered at COMMIT and
 * dropped on ROLLBACK, so event streams are told of exactly the events that exist (their
 * positions, tx and pos, come from column defaults).
 */
export function deferEventsAndDeliveries(t: Tx, tenantId: string, events: EventToWrite[], jobId: string): void {
  // joins events (owned by src/events): the events and the deliveries they fan out to are one
  // statement that needs no answer, so the outbox adds no round trip to the write it rides on.
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
              CASE WHEN endpoint_id IS NULL THEN 'payment_url' ELSE 'endpoint' END, url, 'pending', $9::uuid
         FROM targets
     )
     SELECT pg_notify('${EVENTS_CHANNEL}', $1::text)`,
    [
      tenantId,
      events.map((e) => e.id),
      events.map((e) => e.event.type),
      events.map((e) => e.event.object.object),
      events.map((e) => e.event.object.id),
      events.map((e) => e.event.paymentId),
      events.map((e) => JSON.stringify(e.event.object)),
      events.map((e) => e.faceNames),
      jobId,
    ],
  );
}

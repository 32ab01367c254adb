/**
 * Where freshly written events go: one delivery per enabled endpoint subscribed to the type (or
 * "*", or for an endpoint of a gateway face, the event's name there), plus one to the payment's
 * own webhook_url. A CTE named `targets` for the statement that writes the events
 * (src/outbox/outbox.ts), over its parameters: $1 tenant, $2 event ids, $3 types, $6 payment
 * ids, $8 each event's names in the faces (JSON, from faceNames). The deliveries are written by
 * that same statement, so nothing is held in memory and a crash after commit loses nothing.
 */
export const FAN_OUT_TARGETS = `targets AS (
       SELECT e.id AS event_id, e.type AS event_type, w.id AS endpoint_id, w.url
         FROM unnest($2::text[], $3::text[], $8::json[]) AS e (id, type, face_names)
         JOIN webhook_endpoints w ON w.tenant_id = $1::text AND w.enabled AND w.deleted_at IS NULL
                                 AND webhook_wants(w.format, w.events, e.type, e.face_names ->> w.format)
       UNION ALL
       SELECT e.id, e.type, NULL, p.webhook_url
         FROM unnest($2::text[], $3::text[], $6::text[]) AS e (id, type, payment_id)
         JOIN payments p ON p.id = e.payment_id AND p.webhook_url IS NOT NULL
     )`;

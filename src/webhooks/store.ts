import type { Queryable, Tx } from '../db/pool.ts';
import { ownedRow } from '../db/owned.ts';
import { listPage, listWhere, paginate, type CursorArgs, type Page, type PageArgs, type PageOf } from '../db/paginate.ts';
import { TENANT_SCOPE } from '../db/report-sql.ts';
import { notFound } from '../core/errors.ts';
import { EVENTS_CHANNEL } from '../events/hub.ts';
import type { ApiObject, EventType, FaceNames, FaceObjectEvent, NewEvent } from '../events/types.ts';
import type { DeliveryStatus, EndpointPatch } from './schemas.ts';

/**
 * The SQL of the tables this folder owns: the webhook endpoints, the events and the deliveries
 * they fan out to (the outbox's, src/webhooks/outbox.ts), and the delivery attempts. Endpoints'
 * changes, the outbox's one statement, a delivery's claim and record, requeues and resends, the
 * lists, and what other capabilities ask of them (a payment's timeline, reconciliation's scan, the
 * dashboard's and the operator's numbers). The event log's reads are src/events/store.ts's.
 */

// ----- endpoints -----

export interface DbEndpoint {
  id: string;
  tenant_id: string;
  url: string;
  events: string[];
  format: string;
  /** The version of its face's API its bodies are written in (Stripe's pinned api_version); null: the face's current one. */
  api_version: string | null;
  description: string | null;
  enabled: boolean;
  secret: string;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}


export interface NewEndpoint {
  id: string;
  tenantId: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  secret: string;
  format: string;
  apiVersion: string | null;
}

export function insertEndpoint(t: Tx, e: NewEndpoint): Promise<DbEndpoint> {
  return t.one<DbEndpoint>(
    `INSERT INTO webhook_endpoints (id, tenant_id, url, events, description, enabled, secret, format, api_version)
     VALUES ($1::text, $2::text, $3::text, $4::text[], $5::text, $6::boolean, $7::text, $8::text, $9::text) RETURNING *`,
    [e.id, e.tenantId, e.url, e.events, e.description, e.enabled, e.secret, e.format, e.apiVersion],
  );
}

/** One of the tenant's endpoints, not deleted (locked when `lock`); 404 naming `param` when the id came in a body field. */
export function getEndpoint(db: Queryable, tenantId: string, id: string, lock = false, param?: string): Promise<DbEndpoint> {
  return ownedRow<DbEndpoint>(db, 'webhook_endpoints', tenantId, id, { what: 'webhook endpoint', lock, param });
}

/** Applies a patch to the (locked) endpoint; re-enabling it clears why it was disabled. */
export function patchEndpoint(t: Tx, id: string, patch: EndpointPatch): Promise<DbEndpoint> {
  return t.one<DbEndpoint>(
    `UPDATE webhook_endpoints SET
        url = coalesce($2::text, url),
        events = coalesce($3::text[], events),
        description = CASE WHEN $4::boolean THEN $5::text ELSE description END,
        enabled = coalesce($6::boolean, enabled),
        -- re-enabling clears why it was disabled
        disabled_reason = CASE WHEN $6::boolean THEN NULL ELSE disabled_reason END,
        updated_at = sandpay_now()
      WHERE id = $1::text RETURNING *`,
    [id, patch.url ?? null, patch.events ?? null, patch.description !== undefined, patch.description ?? null, patch.enabled ?? null],
  );
}

/** Soft delete: past deliveries keep their endpoint; new events no longer fan out to it. */
export async function softDeleteEndpoint(t: Tx, id: string): Promise<void> {
  await t.rows('UPDATE webhook_endpoints SET deleted_at = sandpay_now(), enabled = false, updated_at = sandpay_now() WHERE id = $1::text', [id]);
}

export function setEndpointSecret(t: Tx, id: string, secret: string): Promise<DbEndpoint> {
  return t.one<DbEndpoint>('UPDATE webhook_endpoints SET secret = $2::text, updated_at = sandpay_now() WHERE id = $1::text RETURNING *', [id, secret]);
}

/** The receiver answered 410 Gone: the endpoint is disabled, saying so. */
export async function disableGoneEndpoint(t: Tx, id: string | null): Promise<void> {
  await t.rows(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'receiver answered 410 Gone', updated_at = sandpay_now() WHERE id = $1::text`, [id]);
}

/** A page of the tenant's endpoints (not deleted), newest first; only those of one format when `format` is given. */
export function listEndpoints<T, P extends PageArgs = CursorArgs>(db: Queryable, tenantId: string, page: P, view: (e: DbEndpoint) => T, format?: string): Promise<PageOf<P, T>> {
  return listPage<DbEndpoint, T, P>(db, { table: 'webhook_endpoints', tenantId, fixed: ['deleted_at IS NULL'], filters: { format } }, page, view);
}

// ----- the outbox's fan-out -----

/**
 * Where freshly written events go: one delivery per enabled endpoint and name it wants the event
 * under (webhook_names: a Sandpay-format endpoint subscribed to the type or "*"; an endpoint of a
 * gateway face, each of the event's names there that it lists), carrying that name, plus one to
 * the payment's own webhook_url. A CTE named `targets` for the statement that writes the events
 * (below), over its parameters: $1 tenant, $2 event ids, $3 types, $6 payment ids, $8 each
 * event's names in the faces (JSON, from faceNames). The deliveries are written by that same
 * statement, so nothing is held in memory and a crash after commit loses nothing.
 */
// joins payments (owned by src/payments): the payment's webhook_url is a target of the same statement.
const FAN_OUT_TARGETS = `targets AS (
       SELECT e.id AS event_id, n.name AS event_type, w.id AS endpoint_id, w.url
         FROM unnest($2::text[], $3::text[], $8::jsonb[]) AS e (id, type, face_names)
         JOIN webhook_endpoints w ON w.tenant_id = $1::text AND w.enabled AND w.deleted_at IS NULL
        CROSS JOIN LATERAL webhook_names(w.format, w.events, e.type, e.face_names -> w.format) AS n
       UNION ALL
       SELECT e.id, e.type, NULL, p.webhook_url
         FROM unnest($2::text[], $3::text[], $6::text[]) AS e (id, type, payment_id)
         -- p.id = ANY: the payments are looked up by their key, also in a generic plan made
         -- while the table was small (a join on unnest's guessed rows alone chose to read all of
         -- payments on every create; issue 27, test/db/generic-plans.test.ts).
         JOIN payments p ON p.id = e.payment_id AND p.id = ANY ($6::text[]) AND p.webhook_url IS NOT NULL
     )`;

/** An event to write: its id, and its names in the gateway faces (JSON, from faceNames). */
export interface EventToWrite {
  id: string;
  event: NewEvent | FaceObjectEvent;
  faceNames: string;
}

/**
 * The outbox's one statement (src/webhooks/outbox.ts), sent with the COMMIT: writes a transaction's
 * events in order and fans them out to webhook deliveries (FAN_OUT_TARGETS; ids made in SQL),
 * every one of them owned by the delivery job `jobId`. The NOTIFY is delivered at COMMIT and
 * dropped on ROLLBACK, so event streams are told of exactly the events that exist (their
 * positions, tx and pos, come from column defaults). `requestId`: the API request of the transaction.
 */
export function deferEventsAndDeliveries(t: Tx, tenantId: string, events: EventToWrite[], jobId: string, requestId: string | null): void {
  // The events and the deliveries they fan out to are one statement that needs no answer, so
  // the outbox adds no round trip to the write it rides on.
  t.defer(
    `WITH written AS (
       INSERT INTO events (id, tenant_id, type, object_type, object_id, payment_id, payload, face_names, previous_attributes, request_id)
       SELECT id, $1::text, type, object_type, object_id, payment_id, payload, face_names, previous_attributes, $11::text
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::json[], $8::jsonb[], $10::jsonb[])
              WITH ORDINALITY AS e (id, type, object_type, object_id, payment_id, payload, face_names, previous_attributes, n)
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
      events.map((e) => ('previousAttributes' in e.event && e.event.previousAttributes ? JSON.stringify(e.event.previousAttributes) : null)),
      requestId,
    ],
  );
}

/**
 * Fresh deliveries of an existing event (a resend): to the enabled endpoints that want it now,
 * under each name they want it under (`faceNames`: its names in the faces, JSON), and the
 * payment's webhook_url; or to `endpointId` alone, under the names that `wanted` (event names
 * as an endpoint lists them) picks. Each with a job id of its own.
 */
export function insertResentDeliveries(
  t: Tx, tenantId: string, event: { id: string; type: string; payment_id: string | null }, endpointId: string | null, faceNames: string, wanted: string[] | null,
): Promise<DbDelivery[]> {
  // joins payments (owned by src/payments): the payment's webhook_url is a target, as in the fan-out (FAN_OUT_TARGETS).
  return t.rows<DbDelivery>(
    `WITH targets AS (
       SELECT w.id AS endpoint_id, w.url, n.name FROM webhook_endpoints w
        CROSS JOIN LATERAL webhook_names(w.format, coalesce($7::text[], w.events), $3::text, $6::jsonb -> w.format) AS n
        WHERE w.tenant_id = $1::text AND w.enabled AND w.deleted_at IS NULL AND ($4::text IS NULL OR w.id = $4::text)
       UNION ALL
       SELECT NULL, p.webhook_url, $3::text FROM payments p
        WHERE $4::text IS NULL AND p.id = $5::text AND p.tenant_id = $1::text AND p.webhook_url IS NOT NULL
     )
     INSERT INTO webhook_deliveries (id, tenant_id, event_id, event_type, endpoint_id, target, url, status, job_id)
     SELECT 'whd_' || random_public_id(), $1::text, $2::text, name, endpoint_id,
            CASE WHEN endpoint_id IS NULL THEN 'payment_url' ELSE 'endpoint' END, url, 'pending', gen_random_uuid()
       FROM targets
     RETURNING *`,
    [tenantId, event.id, event.type, endpointId, event.payment_id, faceNames, wanted],
  );
}

// ----- deliveries: claim, record, requeue, read -----

export interface DbDelivery {
  id: string;
  tenant_id: string;
  event_id: string;
  /** The name it is sent under: the event's type, or one of its names in the endpoint's face (migration 0026). */
  event_type: string;
  endpoint_id: string | null;
  target: 'endpoint' | 'payment_url';
  url: string;
  status: DeliveryStatus;
  attempt_count: number;
  round_attempts: number;
  next_attempt_at: Date | null;
  lease_until: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  job_id: string | null;
  dlq_job_id: string | null;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DbAttempt {
  delivery_id: string;
  attempt: number;
  url: string;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
  /** What the attempt sent besides the event body (its signature headers); null before migration 0012. */
  request_headers: Record<string, string> | null;
  created_at: Date;
}

export interface RequeueFilter {
  /** null: any tenant (operators). */
  tenantId: string | null;
  statuses: readonly DeliveryStatus[];
  ids?: string[] | undefined;
  endpointId?: string | undefined;
  since?: Date | undefined;
  limit: number;
  /** Replays and retries start a fresh round of attempts; reconciliation continues the round. */
  resetRound: boolean;
}


/** A delivery leased for one attempt, with all the attempt needs. */
export interface ClaimedDelivery {
  id: string;
  job_id: string;
  tenant_id: string;
  target: 'endpoint' | 'payment_url';
  endpoint_id: string | null;
  attempt_count: number;
  round_attempts: number;
  /** Its tenant's clock (src/tenants/clock.ts): retries are due on it. */
  clock_offset_ms: string;
  url: string;
  event_id: string;
  event_type: EventType;
  event_created_at: Date;
  /** The payment the event is about, if any: one payment's deliveries to one target go in order. */
  payment_id: string | null;
  payload: ApiObject;
  /** The event's names in the faces (null: written before they were kept), and the one this delivery carries. */
  face_names: FaceNames | null;
  name: string;
  /** A face's own update event's changed fields, and the API request that raised the event (migration 0027). */
  previous_attributes: Record<string, unknown> | null;
  request_id: string | null;
  endpoint_url: string | null;
  endpoint_secret: string | null;
  endpoint_enabled: boolean | null;
  endpoint_deleted: boolean | null;
  payment_url: string | null;
  tenant_secret: string;
  /** The endpoint's face (a payment's webhook_url always gets Sandpay's). */
  endpoint_format: string | null;
  /** The version of its face's API the endpoint pinned; null: the face's current one. */
  endpoint_api_version: string | null;
  /** For a face that wants it: the payment as of a refund or order event (faces.ts). */
  payment_snapshot: ApiObject | null;
}

/**
 * Takes a lease of `leaseMs` on at most `limit` of the deliveries the jobs own, for one attempt
 * (one statement for the batch), and reads what the attempt needs as it is now: the endpoint's
 * current URL and secret, the event, and for an endpoint of a face in `snapshotFormats` the
 * payment as of the event. A delivery settled or leased by another worker is skipped.
 */
export function claimDeliveries(db: Queryable, jobIds: string[], leaseMs: number, snapshotFormats: string[], limit: number): Promise<ClaimedDelivery[]> {
  return db.rows<ClaimedDelivery>(claimSql(`job_id = ANY ($1::uuid[])`, 'created_at, id'), [jobIds, leaseMs, snapshotFormats, limit]);
}

/** When a delivery of the tenant is due: its retry's time, or for a first attempt its creation (both on the tenant's clock). */
const DUE_AT = 'coalesce(next_attempt_at, created_at)';

/**
 * As claimDeliveries, for a tenant's clock advance (src/webhooks/clock.ts): the tenant's
 * deliveries due at or before `at` (its clock's time), whichever job owns them, earliest first.
 */
export function claimDueDeliveries(db: Queryable, tenantId: string, at: Date, leaseMs: number, snapshotFormats: string[], limit: number): Promise<ClaimedDelivery[]> {
  return db.rows<ClaimedDelivery>(
    claimSql(`tenant_id = $5::text AND ${DUE_AT} <= $1::timestamptz`, `${DUE_AT}, created_at, id`),
    [at, leaseMs, snapshotFormats, limit, tenantId],
  );
}

/** When the tenant's next delivery not leased by a worker is due, if at or before `upTo` (its clock's time). */
export async function nextDeliveryDue(db: Queryable, tenantId: string, upTo: Date): Promise<Date | null> {
  const row = await db.one<{ at: Date | null }>(
    `SELECT min(${DUE_AT}) AS at FROM webhook_deliveries
      WHERE tenant_id = $1::text AND status IN ('pending', 'failed') AND (lease_until IS NULL OR lease_until < now())
        AND ${DUE_AT} <= $2::timestamptz`,
    [tenantId, upTo],
  );
  return row.at;
}

/**
 * The claim's one statement: leases the deliveries `which` picks ($2 lease ms, $4 limit) and
 * reads what their attempts need ($3 the formats that want a payment snapshot).
 */
function claimSql(which: string, order: string): string {
  // joins tenants (owned by src/tenants) and payments (owned by src/payments): the lease and
  // all an attempt needs, for a batch, in one statement of the hot path.
  return `WITH claimed AS (
       UPDATE webhook_deliveries d SET lease_until = now() + $2::int * interval '1 millisecond'
        WHERE d.id IN (SELECT id FROM webhook_deliveries
                        WHERE ${which} AND status IN ('pending', 'failed')
                          AND (lease_until IS NULL OR lease_until < now())
                        ORDER BY ${order} LIMIT $4::int FOR UPDATE SKIP LOCKED)
       RETURNING d.*
     )
     SELECT c.id, c.job_id, c.tenant_id, c.target, c.endpoint_id, c.attempt_count, c.round_attempts, c.url, t.clock_offset_ms,
            e.id AS event_id, e.type AS event_type, e.created_at AS event_created_at, e.payment_id, e.payload, e.face_names, c.event_type AS name,
            e.previous_attributes, e.request_id,
            w.url AS endpoint_url, w.secret AS endpoint_secret, w.enabled AS endpoint_enabled,
            (w.deleted_at IS NOT NULL) AS endpoint_deleted,
            p.webhook_url AS payment_url, t.webhook_secret AS tenant_secret,
            w.format AS endpoint_format, w.api_version AS endpoint_api_version, ps.payload AS payment_snapshot
       FROM claimed c
       JOIN events e ON e.id = c.event_id
       JOIN tenants t ON t.id = c.tenant_id
       LEFT JOIN webhook_endpoints w ON w.id = c.endpoint_id
       LEFT JOIN payments p ON c.target = 'payment_url' AND p.id = e.payment_id
       -- Some faces' bodies of a refund or order event also carry the payment as it was then (a
       -- Razorpay one does): its latest event at or before this one (events_object_idx).
       LEFT JOIN LATERAL (
         SELECT s.payload FROM events s
          WHERE w.format = ANY ($3::text[]) AND e.object_type <> 'payment' AND e.payment_id IS NOT NULL
            AND s.tenant_id = e.tenant_id AND s.object_id = e.payment_id AND s.created_at <= e.created_at
          ORDER BY s.created_at DESC, s.id DESC LIMIT 1
       ) ps ON true
      -- In the events' order, and an event's names in the face's order (the order an endpoint gets them in).
      ORDER BY e.pos, (SELECT x.n FROM jsonb_array_elements_text(e.face_names -> w.format) WITH ORDINALITY AS x (name, n)
                        WHERE x.name = c.event_type LIMIT 1) NULLS FIRST, c.id`;
}

/** One attempt's result, to record: the delivery's new state and the attempt row. */
export interface AttemptRecord {
  id: string;
  jobId: string;
  status: DeliveryStatus;
  url: string;
  statusCode: number | null;
  error: string | null;
  retryInSec: number | null;
  nextJob: string | null;
  dlqJob: string | null;
  attempt: number;
  latencyMs: number;
  responseBody: string | null;
  requestHeaders: Record<string, string> | null;
  /** When it was made, on its tenant's clock (null: real time, now()): its retry is due that long after it. */
  at: Date | null;
}

/**
 * Records a batch of attempts in one statement: the attempt rows and the deliveries' new states.
 * A delivery requeued by someone else meanwhile (its job_id changed) is left alone: answers the
 * deliveries recorded.
 */
export function recordAttempts(db: Queryable, rows: AttemptRecord[]): Promise<Array<{ delivery_id: string }>> {
  return db.rows<{ delivery_id: string }>(
    `WITH r AS (
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::uuid[], $9::uuid[], $10::int[], $11::int[], $12::text[], $13::jsonb[], $14::timestamptz[])
           AS r (id, job_id, status, url, status_code, error, retry_in, next_job, dlq_job, attempt, latency_ms, response_body, request_headers, at)
       ), updated AS (
         UPDATE webhook_deliveries d SET
            status = r.status, attempt_count = d.attempt_count + 1, round_attempts = d.round_attempts + 1,
            url = r.url, last_status_code = r.status_code, last_error = r.error, lease_until = NULL,
            next_attempt_at = CASE WHEN r.retry_in IS NULL THEN NULL ELSE coalesce(r.at, now()) + r.retry_in * interval '1 second' END,
            job_id = coalesce(r.next_job, d.job_id), dlq_job_id = r.dlq_job,
            delivered_at = CASE WHEN r.status = 'delivered' THEN coalesce(r.at, now()) END, updated_at = coalesce(r.at, now())
           FROM r
          -- d.id = ANY: by key under any plan (see FAN_OUT_TARGETS).
          WHERE d.id = r.id AND d.id = ANY ($1::text[]) AND d.job_id = r.job_id
          RETURNING d.id, d.tenant_id
       )
       INSERT INTO webhook_attempts (delivery_id, tenant_id, attempt, url, status_code, latency_ms, response_body, error, request_headers, created_at)
       SELECT u.id, u.tenant_id, r.attempt, r.url, r.status_code, r.latency_ms, r.response_body, r.error, r.request_headers, coalesce(r.at, now())
         FROM updated u JOIN r ON r.id = u.id
       RETURNING delivery_id`,
    [
      rows.map((x) => x.id), rows.map((x) => x.jobId), rows.map((x) => x.status), rows.map((x) => x.url),
      rows.map((x) => x.statusCode), rows.map((x) => x.error), rows.map((x) => x.retryInSec),
      rows.map((x) => x.nextJob), rows.map((x) => x.dlqJob), rows.map((x) => x.attempt), rows.map((x) => x.latencyMs),
      rows.map((x) => x.responseBody), rows.map((x) => (x.requestHeaders ? JSON.stringify(x.requestHeaders) : null)), rows.map((x) => x.at),
    ],
  );
}

/**
 * Queues the picked deliveries again (FOR UPDATE SKIP LOCKED, never one mid-attempt): pending,
 * each with a new job id; answers them with their status and dead-letter job before.
 */
export function requeuePicked(t: Tx, pick: RequeueFilter): Promise<Array<{ id: string; tenant_id: string; job_id: string; old_status: string; old_dlq_job_id: string | null }>> {
  return t.rows<{ id: string; tenant_id: string; job_id: string; old_status: string; old_dlq_job_id: string | null }>(
    `WITH picked AS (
       SELECT id, status, dlq_job_id FROM webhook_deliveries
        WHERE status = ANY ($1::text[])
          AND ($2::text IS NULL OR tenant_id = $2::text)
          AND ($3::text[] IS NULL OR id = ANY ($3::text[]))
          AND ($4::text IS NULL OR endpoint_id = $4::text)
          AND ($5::timestamptz IS NULL OR created_at >= $5::timestamptz)
          AND (lease_until IS NULL OR lease_until < now())
        ORDER BY created_at, id
        LIMIT $6::int
        FOR UPDATE SKIP LOCKED
     )
     UPDATE webhook_deliveries d
        SET status = 'pending', job_id = gen_random_uuid(), dlq_job_id = NULL, next_attempt_at = NULL,
            round_attempts = CASE WHEN $7::boolean THEN 0 ELSE d.round_attempts END, updated_at = now()
       FROM picked
      WHERE d.id = picked.id
     RETURNING d.id, d.tenant_id, d.job_id, picked.status AS old_status, picked.dlq_job_id AS old_dlq_job_id`,
    [pick.statuses, pick.tenantId, pick.ids ?? null, pick.endpointId ?? null, pick.since ?? null, pick.limit, pick.resetRound],
  );
}

/** A delivery by id, the tenant's (`tenantId` null: anyone's); 404 otherwise. */
export async function getDelivery(db: Queryable, id: string, tenantId: string | null): Promise<DbDelivery> {
  const d = await db.maybeOne<DbDelivery>(
    'SELECT * FROM webhook_deliveries WHERE id = $1::text AND ($2::text IS NULL OR tenant_id = $2::text)',
    [id, tenantId],
  );
  if (!d) throw notFound('webhook delivery');
  return d;
}

/** The attempts of these deliveries, by delivery and attempt. */
export function attemptsOf(db: Queryable, deliveryIds: string[]): Promise<DbAttempt[]> {
  return db.rows<DbAttempt>('SELECT * FROM webhook_attempts WHERE delivery_id = ANY ($1::text[]) ORDER BY delivery_id, attempt', [deliveryIds]);
}

/** A page of the tenant's deliveries, newest first. */
export function listDeliveries<T>(
  db: Queryable, tenantId: string, filter: { status?: DeliveryStatus | undefined; endpointId?: string | undefined; eventId?: string | undefined }, page: CursorArgs, view: (d: DbDelivery) => T,
): Promise<Page<T>> {
  return listPage(db, { table: 'webhook_deliveries', tenantId, filters: { status: filter.status, endpoint_id: filter.endpointId, event_id: filter.eventId } }, page, view);
}

/** A page of the dead-letter queue, every tenant's (or one's), newest first. */
export function listDeadLetters<T>(
  db: Queryable, filter: { tenantId?: string | undefined; endpointId?: string | undefined; eventId?: string | undefined }, page: CursorArgs, view: (d: DbDelivery) => T,
): Promise<Page<T>> {
  const where = listWhere({ tenant_id: filter.tenantId, endpoint_id: filter.endpointId, event_id: filter.eventId }, [`status = 'dead'`]);
  return paginate(db, { table: 'webhook_deliveries', ...where, ...page }, view);
}

// ----- what other capabilities ask -----

type AttemptStats = { attempts: string; ok: string; p50: number | null; p95: number | null };

/** The deliveries of these events of the tenant, oldest first. */
export function deliveriesOfEvents(db: Queryable, tenantId: string, eventIds: string[]): Promise<DbDelivery[]> {
  return db.rows<DbDelivery>(
    'SELECT * FROM webhook_deliveries WHERE tenant_id = $2::text AND event_id = ANY ($1::text[]) ORDER BY created_at, id',
    [eventIds, tenantId],
  );
}

/**
 * Deliveries, every tenant's, due for an attempt more than `overdueSeconds` ago and not leased by
 * a worker, the longest overdue first.
 */
export function overdueDeliveries(db: Queryable, overdueSeconds: number, limit: number): Promise<Array<{ id: string; job_id: string | null }>> {
  return db.rows<{ id: string; job_id: string | null }>(
    `SELECT id, job_id FROM webhook_deliveries
      WHERE status IN ('pending', 'failed')
        AND coalesce(next_attempt_at, created_at) < now() - $1::int * interval '1 second'
        AND (lease_until IS NULL OR lease_until < now())
      ORDER BY coalesce(next_attempt_at, created_at) LIMIT $2::int`,
    [overdueSeconds, limit],
  );
}

/** Every tenant's deliveries by status. */
export function deliveryCountsByStatus(db: Queryable): Promise<Array<{ status: string; n: string }>> {
  return db.rows<{ status: string; n: string }>('SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status');
}

/** Every tenant's attempts of the last hour: how many, how many got a 2xx, and their latency's median and 95th percentile. */
export function attemptStatsLastHour(db: Queryable): Promise<AttemptStats> {
  return db.one<AttemptStats>(
    `SELECT count(*) AS attempts, count(*) FILTER (WHERE status_code BETWEEN 200 AND 299) AS ok,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
       FROM webhook_attempts WHERE created_at > now() - interval '1 hour'`,
  );
}

/** As attemptStatsLastHour, for one tenant (`tenantId` null: every tenant). */
export function tenantAttemptStatsLastHour(db: Queryable, tenantId: string | null): Promise<AttemptStats> {
  return db.one<AttemptStats>(
    `SELECT count(*) AS attempts, count(*) FILTER (WHERE status_code BETWEEN 200 AND 299) AS ok,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
       FROM webhook_attempts WHERE ${TENANT_SCOPE} AND created_at >= sandpay_now() - interval '1 hour'`,
    [tenantId],
  );
}

/** Attempts by minute over the last `minutes` minutes (this one included): how many, how many failed, their 95th percentile latency. */
export function attemptsPerMinute(db: Queryable, tenantId: string | null, minutes: number): Promise<Array<{ minute: Date; attempts: string; failed: string; p95: number | null }>> {
  return db.rows<{ minute: Date; attempts: string; failed: string; p95: number | null }>(
    `SELECT date_trunc('minute', created_at) AS minute, count(*) AS attempts,
            count(*) FILTER (WHERE status_code IS NULL OR status_code NOT BETWEEN 200 AND 299) AS failed,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
       FROM webhook_attempts
      WHERE ${TENANT_SCOPE} AND created_at >= date_trunc('minute', sandpay_now()) - ($2::int - 1) * interval '1 minute'
      GROUP BY 1`,
    [tenantId, minutes],
  );
}

import { randomUUID } from 'node:crypto';
import { audit, SYSTEM_ACTOR } from '../audit/append.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/pool.ts';
import type { ApiObject, EventType } from '../events/events.ts';
import { QUEUES } from '../jobs/boss.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Services } from '../services.ts';
import type { Poster, PostResult } from './http.ts';
import { findFace } from './faces.ts';

export const USER_AGENT = 'Sandpay-Webhooks/1.0';

interface Claimed {
  id: string;
  job_id: string;
  tenant_id: string;
  target: 'endpoint' | 'payment_url';
  endpoint_id: string | null;
  attempt_count: number;
  round_attempts: number;
  url: string;
  event_id: string;
  event_type: EventType;
  event_created_at: Date;
  payload: ApiObject;
  endpoint_url: string | null;
  endpoint_secret: string | null;
  endpoint_enabled: boolean | null;
  endpoint_deleted: boolean | null;
  payment_url: string | null;
  tenant_secret: string;
  /** The endpoint's face (a payment's webhook_url always gets Sandpay's). */
  endpoint_format: string | null;
  /** For a face that wants it: the payment as of a refund or order event (faces.ts). */
  payment_snapshot: ApiObject | null;
}

type Outcome =
  | { status: 'delivered' }
  | { status: 'failed'; retryInSec: number }
  | { status: 'dead'; disableEndpoint: boolean };

interface Attempted {
  d: Claimed;
  url: string;
  /** The headers sent (null when no request was made). */
  headers: Record<string, string> | null;
  result: PostResult;
  outcome: Outcome;
}

/** What an attempt's result means, given the retry schedule. Pure, so the rules are unit-tested. */
export function decide(result: Pick<PostResult, 'statusCode' | 'retryAfterSec'>, roundAttempt: number, target: Claimed['target'], config: Config['webhooks']): Outcome {
  const code = result.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: 'delivered' };
  // Standard Webhooks: 410 Gone means the receiver no longer wants this endpoint.
  if (code === 410 && target === 'endpoint') return { status: 'dead', disableEndpoint: true };
  const scheduled = config.retrySchedule[roundAttempt - 1];
  if (scheduled === undefined) return { status: 'dead', disableEndpoint: false };
  const asked = Math.min(result.retryAfterSec ?? 0, config.maxRetryAfterSeconds);
  return { status: 'failed', retryInSec: Math.max(scheduled, asked) };
}

/**
 * Takes a lease, for one attempt, on each delivery the jobs own (one statement for the batch) and
 * reads what the attempt needs as it is now: the endpoint's current URL and secret, so a replay
 * after a fix uses the new ones. A delivery belongs to the job its job_id names: the job made
 * with its events (all the deliveries of that commit), then the job of each retry or replay. A
 * job owns nothing once stale (the delivery's job_id has moved on), and a delivery is skipped
 * when settled or leased by another worker.
 */
function claim(svc: Services, jobIds: string[], limit: number): Promise<Claimed[]> {
  // joins events (owned by src/events), tenants (owned by src/tenants) and
  // payments (owned by src/payments): the lease and all an attempt needs, for a batch, in one
  // statement of the hot path.
  return svc.db.rows<Claimed>(
    `WITH claimed AS (
       UPDATE webhook_deliveries d SET lease_until = now() + $2::int * interval '1 millisecond'
        WHERE d.id IN (SELECT id FROM webhook_deliveries
                        WHERE job_id = ANY ($1::uuid[]) AND status IN ('pending', 'failed')
                          AND (lease_until IS NULL OR lease_until < now())
                        ORDER BY created_at, id LIMIT $4::int FOR UPDATE SKIP LOCKED)
       RETURNING d.*
     )
     SELECT c.id, c.job_id, c.tenant_id, c.target, c.endpoint_id, c.attempt_count, c.round_attempts, c.url,
            e.id AS event_id, e.type AS event_type, e.created_at AS event_created_at, e.payload,
            w.url AS endpoint_url, w.secret AS endpoint_secret, w.enabled AS endpoint_enabled,
            (w.deleted_at IS NOT NULL) AS endpoint_deleted,
            p.webhook_url AS payment_url, t.webhook_secret AS tenant_secret,
            w.format AS endpoint_format, ps.payload AS payment_snapshot
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
       ) ps ON true`,
    [jobIds, svc.config.webhooks.timeoutMs + 5000, svc.webhookFaces.filter((f) => f.withPaymentSnapshot).map((f) => f.format), limit],
  );
}

async function attempt(svc: Services, post: Poster, d: Claimed): Promise<Attempted> {
  if (d.target === 'endpoint' && (d.endpoint_deleted || !d.endpoint_enabled)) {
    // No attempt against a disabled or deleted endpoint: dead now, replayable once it is fixed.
    const error = d.endpoint_deleted ? 'endpoint deleted' : 'endpoint disabled';
    return { d, url: d.endpoint_url ?? d.url, headers: null, result: { statusCode: null, latencyMs: 0, body: null, error, retryAfterSec: null }, outcome: { status: 'dead', disableEndpoint: false } };
  }
  const url = (d.target === 'endpoint' ? d.endpoint_url : d.payment_url) ?? d.url;
  const face = findFace(svc.webhookFaces, d.target === 'endpoint' ? d.endpoint_format : null);
  const content = face?.render({
    secret: (d.target === 'endpoint' ? d.endpoint_secret : d.tenant_secret)!,
    tenantId: d.tenant_id,
    event: { id: d.event_id, type: d.event_type, created_at: d.event_created_at, payload: d.payload },
    paymentSnapshot: d.payment_snapshot,
  });
  if (!content) {
    // A format no face of this process serves (a worker older than the API that made the endpoint) is not sent at all.
    const error = face ? `${d.event_type} has no ${face.format} body` : `no gateway face here serves the webhook format ${JSON.stringify(d.endpoint_format)}`;
    return { d, url, headers: null, result: { statusCode: null, latencyMs: 0, body: null, error, retryAfterSec: null }, outcome: { status: 'dead', disableEndpoint: false } };
  }
  const { body } = content;
  const headers = { ...content.headers, 'x-sandpay-delivery': d.id, 'x-sandpay-attempt': String(d.attempt_count + 1) };
  const result = await post(url, body, headers);
  return { d, url, headers, result, outcome: decide(result, d.round_attempts + 1, d.target, svc.config.webhooks) };
}

/**
 * Records a batch of attempts: the attempt rows and the deliveries' new states in one
 * statement. When every attempt was delivered that is all; retries and dead letters also
 * enqueue jobs, so then everything runs in one transaction with them. A delivery requeued by
 * someone else meanwhile (its job_id changed) is left to the job that owns it now.
 */
async function record(svc: Services, attempts: Attempted[]): Promise<void> {
  const rows = attempts.map(({ d, url, headers, result, outcome }) => ({
    d,
    url,
    headers,
    result,
    outcome,
    nextJob: outcome.status === 'failed' ? randomUUID() : null,
    dlqJob: outcome.status === 'dead' ? randomUUID() : null,
    error: outcome.status === 'dead' && outcome.disableEndpoint ? 'receiver answered 410 Gone: endpoint disabled' : result.error,
  }));
  const write = (db: Queryable) =>
    db.rows<{ delivery_id: string }>(
      `WITH r AS (
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::uuid[], $9::uuid[], $10::int[], $11::int[], $12::text[], $13::jsonb[])
           AS r (id, job_id, status, url, status_code, error, retry_in, next_job, dlq_job, attempt, latency_ms, response_body, request_headers)
       ), updated AS (
         UPDATE webhook_deliveries d SET
            status = r.status, attempt_count = d.attempt_count + 1, round_attempts = d.round_attempts + 1,
            url = r.url, last_status_code = r.status_code, last_error = r.error, lease_until = NULL,
            next_attempt_at = CASE WHEN r.retry_in IS NULL THEN NULL ELSE now() + r.retry_in * interval '1 second' END,
            job_id = coalesce(r.next_job, d.job_id), dlq_job_id = r.dlq_job,
            delivered_at = CASE WHEN r.status = 'delivered' THEN now() END, updated_at = now()
           FROM r
          WHERE d.id = r.id AND d.job_id = r.job_id
          RETURNING d.id, d.tenant_id
       )
       INSERT INTO webhook_attempts (delivery_id, tenant_id, attempt, url, status_code, latency_ms, response_body, error, request_headers)
       SELECT u.id, u.tenant_id, r.attempt, r.url, r.status_code, r.latency_ms, r.response_body, r.error, r.request_headers
         FROM updated u JOIN r ON r.id = u.id
       RETURNING delivery_id`,
      [
        rows.map((x) => x.d.id), rows.map((x) => x.d.job_id), rows.map((x) => x.outcome.status), rows.map((x) => x.url),
        rows.map((x) => x.result.statusCode), rows.map((x) => x.error), rows.map((x) => (x.outcome.status === 'failed' ? x.outcome.retryInSec : null)),
        rows.map((x) => x.nextJob), rows.map((x) => x.dlqJob), rows.map((x) => x.d.attempt_count + 1), rows.map((x) => x.result.latencyMs),
        rows.map((x) => x.result.body), rows.map((x) => (x.headers ? JSON.stringify(x.headers) : null)),
      ],
    );
  if (rows.every((x) => x.outcome.status === 'delivered')) {
    await write(svc.db);
    return;
  }
  await svc.db.tx(async (t) => {
    const written = new Set((await write(t)).map((w) => w.delivery_id));
    const mine = rows.filter((x) => written.has(x.d.id));
    await enqueue(t, svc.boss, QUEUES.webhookDelivery, mine.filter((x) => x.nextJob).map((x) => ({
      id: x.nextJob!, data: { deliveryId: x.d.id }, startAfter: new Date(Date.now() + (x.outcome as { retryInSec: number }).retryInSec * 1000),
    })));
    // Into pg-boss's dead-letter queue, in the same transaction that marks the deliveries dead.
    await enqueue(t, svc.boss, QUEUES.webhookDlq, mine.filter((x) => x.dlqJob).map((x) => ({
      id: x.dlqJob!, data: { deliveryId: x.d.id, tenantId: x.d.tenant_id, eventId: x.d.event_id },
    })));
    for (const x of mine.filter((y) => y.outcome.status === 'dead' && y.outcome.disableEndpoint)) {
      await t.rows(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'receiver answered 410 Gone', updated_at = now() WHERE id = $1::text`, [x.d.endpoint_id]);
      audit(t, svc, {
        tenantId: x.d.tenant_id, objectType: 'webhook_endpoint', objectId: x.d.endpoint_id!, action: 'webhook_endpoint.disabled',
        actor: SYSTEM_ACTOR, metadata: { reason: '410 Gone', delivery_id: x.d.id },
      });
    }
  });
}

/**
 * One attempt for each delivery the batch's jobs own, `perRound` at a time (a commit's job may own
 * many: its events times the endpoints): claim them together, POST concurrently, record together,
 * until the jobs own nothing left to attempt. Safe to run twice for a job: the lease and the
 * job_id guard make the second run a no-op.
 */
export async function deliver(svc: Services, post: Poster, jobIds: string[], perRound: number): Promise<void> {
  for (;;) {
    const claimed = await claim(svc, jobIds, perRound);
    if (claimed.length > 0) await record(svc, await Promise.all(claimed.map((d) => attempt(svc, post, d))));
    // A short round took all there was (what another worker holds is its to finish).
    if (claimed.length < perRound) return;
  }
}

import { randomUUID } from 'node:crypto';
import { audit, SYSTEM_ACTOR } from '../audit/append.ts';
import type { Config } from '../config.ts';
import { eventBody, type ApiObject, type EventType } from '../events/events.ts';
import { QUEUES } from '../jobs/boss.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Queryable } from '../db/pool.ts';
import type { Services } from '../services.ts';
import type { Poster, PostResult } from './http.ts';
import { signatureHeaders } from './signature.ts';

export const USER_AGENT = 'Sandpay-Webhooks/1.0';

interface Claimed {
  id: string;
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
}

/**
 * Takes a lease on the delivery for one attempt, and reads what the attempt needs as it is
 * now: the endpoint's current URL and secret (so a replay after a fix uses the new ones).
 * Nothing is returned when the job is stale (its id is not the delivery's job_id), the
 * delivery is settled, or another worker holds the lease.
 */
async function claim(svc: Services, deliveryId: string, jobId: string): Promise<Claimed | undefined> {
  return svc.db.maybeOne<Claimed>(
    `WITH claimed AS (
       UPDATE webhook_deliveries SET lease_until = now() + $3::int * interval '1 millisecond'
        WHERE id = $1::text AND job_id = $2::uuid AND status IN ('pending', 'failed')
          AND (lease_until IS NULL OR lease_until < now())
       RETURNING *
     )
     SELECT c.id, c.tenant_id, c.target, c.endpoint_id, c.attempt_count, c.round_attempts, c.url,
            e.id AS event_id, e.type AS event_type, e.created_at AS event_created_at, e.payload,
            w.url AS endpoint_url, w.secret AS endpoint_secret, w.enabled AS endpoint_enabled,
            (w.deleted_at IS NOT NULL) AS endpoint_deleted,
            p.webhook_url AS payment_url, t.webhook_secret AS tenant_secret
       FROM claimed c
       JOIN events e ON e.id = c.event_id
       JOIN tenants t ON t.id = c.tenant_id
       LEFT JOIN webhook_endpoints w ON w.id = c.endpoint_id
       LEFT JOIN payments p ON c.target = 'payment_url' AND p.id = e.payment_id`,
    [deliveryId, jobId, svc.config.webhooks.timeoutMs + 5000],
  );
}

type Outcome =
  | { status: 'delivered' }
  | { status: 'failed'; retryInSec: number }
  | { status: 'dead'; disableEndpoint: boolean };

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

/** One delivery attempt for one job. Safe to run twice for a job: the lease and job_id guard it. */
export async function deliver(svc: Services, post: Poster, deliveryId: string, jobId: string): Promise<void> {
  const d = await claim(svc, deliveryId, jobId);
  if (!d) return;

  let result: PostResult;
  let outcome: Outcome;
  let url: string;
  if (d.target === 'endpoint' && (d.endpoint_deleted || !d.endpoint_enabled)) {
    // No attempt against a disabled or deleted endpoint: dead now, replayable once it is fixed.
    url = d.endpoint_url ?? d.url;
    result = { statusCode: null, latencyMs: 0, body: null, error: d.endpoint_deleted ? 'endpoint deleted' : 'endpoint disabled', retryAfterSec: null };
    outcome = { status: 'dead', disableEndpoint: false };
  } else {
    url = (d.target === 'endpoint' ? d.endpoint_url : d.payment_url) ?? d.url;
    const secret = (d.target === 'endpoint' ? d.endpoint_secret : d.tenant_secret)!;
    const body = JSON.stringify(eventBody({ id: d.event_id, type: d.event_type, created_at: d.event_created_at, payload: d.payload }));
    // A fresh timestamp and signature on every attempt; webhook-id stays the event id.
    const headers = {
      ...signatureHeaders(secret, d.event_id, body),
      'x-sandpay-event': d.event_type,
      'x-sandpay-delivery': d.id,
      'x-sandpay-attempt': String(d.attempt_count + 1),
    };
    result = await post(url, body, headers);
    outcome = decide(result, d.round_attempts + 1, d.target, svc.config.webhooks);
  }
  await record(svc, d, jobId, url, result, outcome);
}

/**
 * Writes the attempt and the delivery's new state in one statement (a delivered attempt needs
 * nothing else: one round trip). A retry or a dead letter also enqueues a job, so those run in
 * a transaction with it.
 */
async function record(svc: Services, d: Claimed, jobId: string, url: string, result: PostResult, outcome: Outcome): Promise<void> {
  const nextJob = outcome.status === 'failed' ? randomUUID() : null;
  const dlqJob = outcome.status === 'dead' ? randomUUID() : null;
  const error = outcome.status === 'dead' && outcome.disableEndpoint ? 'receiver answered 410 Gone: endpoint disabled' : result.error;
  const write = (db: Queryable) =>
    db.maybeOne(
      `WITH updated AS (
         UPDATE webhook_deliveries SET
            status = $3::text, attempt_count = attempt_count + 1, round_attempts = round_attempts + 1,
            url = $4::text, last_status_code = $5::int, last_error = $6::text, lease_until = NULL,
            next_attempt_at = CASE WHEN $7::int IS NULL THEN NULL ELSE now() + $7::int * interval '1 second' END,
            job_id = coalesce($8::uuid, job_id), dlq_job_id = $9::uuid,
            delivered_at = CASE WHEN $3::text = 'delivered' THEN now() END, updated_at = now()
          WHERE id = $1::text AND job_id = $2::uuid
          RETURNING id, tenant_id
       )
       INSERT INTO webhook_attempts (delivery_id, tenant_id, attempt, url, status_code, latency_ms, response_body, error)
       SELECT id, tenant_id, $10::int, $4::text, $5::int, $11::int, $12::text, $6::text FROM updated
       RETURNING delivery_id`,
      [d.id, jobId, outcome.status, url, result.statusCode, error, outcome.status === 'failed' ? outcome.retryInSec : null,
       nextJob, dlqJob, d.attempt_count + 1, result.latencyMs, result.body],
    );
  if (outcome.status === 'delivered') {
    await write(svc.db);
    return;
  }
  await svc.db.tx(async (t) => {
    // Nothing written: requeued by someone else meanwhile, and their job owns the delivery now.
    if (!(await write(t))) return;
    if (outcome.status === 'failed') {
      await enqueue(t, svc.boss, QUEUES.webhookDelivery, [{ id: nextJob!, data: { deliveryId: d.id }, startAfter: new Date(Date.now() + outcome.retryInSec * 1000) }]);
      return;
    }
    // Into pg-boss's dead-letter queue, in the same transaction that marks the delivery dead.
    await enqueue(t, svc.boss, QUEUES.webhookDlq, [{ id: dlqJob!, data: { deliveryId: d.id, tenantId: d.tenant_id, eventId: d.event_id } }]);
    if (outcome.disableEndpoint) {
      await t.rows(
        `UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'receiver answered 410 Gone', updated_at = now() WHERE id = $1::text`,
        [d.endpoint_id],
      );
      audit(t, {
        tenantId: d.tenant_id, objectType: 'webhook_endpoint', objectId: d.endpoint_id!, action: 'webhook_endpoint.disabled',
        actor: SYSTEM_ACTOR, metadata: { reason: '410 Gone', delivery_id: d.id },
      });
    }
  });
}

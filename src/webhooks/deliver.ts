import { randomUUID } from 'node:crypto';
import { audit, SYSTEM_ACTOR } from '../audit/append.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/pool.ts';
import { isNativeEvent } from '../events/types.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Poster, PostResult } from './http.ts';
import { findFace, namesIn } from './faces.ts';
import { WEBHOOK_DELIVERY, WEBHOOK_DLQ } from './outbox.ts';
import type { WebhookServices } from './services.ts';
import { clockNow } from '../tenants/clock.ts';
import { claimDeliveries, claimDueDeliveries, disableGoneEndpoint, recordAttempts, type AttemptRecord, type ClaimedDelivery } from './store.ts';

export const USER_AGENT = 'Sandpay-Webhooks/1.0';

type DeliveryServices = Pick<WebhookServices, 'db' | 'boss' | 'config' | 'audit' | 'webhookFaces'>;

type Outcome =
  | { status: 'delivered' }
  | { status: 'failed'; retryInSec: number }
  | { status: 'dead'; disableEndpoint: boolean };

interface Attempted {
  d: ClaimedDelivery;
  /** When it was made on its tenant's clock; null: a real-time tenant's, now. */
  at: Date | null;
  url: string;
  /** The headers sent (null when no request was made). */
  headers: Record<string, string> | null;
  result: PostResult;
  outcome: Outcome;
}

/** What an attempt's result means, given the retry schedule. Pure, so the rules are unit-tested. */
export function decide(result: Pick<PostResult, 'statusCode' | 'retryAfterSec'>, roundAttempt: number, target: ClaimedDelivery['target'], config: Config['webhooks']): Outcome {
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
function claim(svc: DeliveryServices, jobIds: string[], limit: number): Promise<ClaimedDelivery[]> {
  return claimDeliveries(svc.db, jobIds, leaseMs(svc), snapshotFormats(svc), limit);
}

/** The formats whose bodies of a refund or order event carry the payment as of the event. */
const snapshotFormats = (svc: DeliveryServices) => svc.webhookFaces.filter((f) => f.withPaymentSnapshot).map((f) => f.format);

/** An attempt's lease: its timeout and a margin. */
const leaseMs = (svc: DeliveryServices) => svc.config.webhooks.timeoutMs + 5000;

async function attempt(svc: DeliveryServices, post: Poster, d: ClaimedDelivery, clockAt?: Date): Promise<Attempted> {
  const at = clockAt ?? (Number(d.clock_offset_ms) === 0 ? null : clockNow(d));
  if (d.target === 'endpoint' && (d.endpoint_deleted || !d.endpoint_enabled)) {
    // No attempt against a disabled or deleted endpoint: dead now, replayable once it is fixed.
    const error = d.endpoint_deleted ? 'endpoint deleted' : 'endpoint disabled';
    return { d, at, url: d.endpoint_url ?? d.url, headers: null, result: { statusCode: null, latencyMs: 0, body: null, error, retryAfterSec: null }, outcome: { status: 'dead', disableEndpoint: false } };
  }
  const url = (d.target === 'endpoint' ? d.endpoint_url : d.payment_url) ?? d.url;
  const face = findFace(svc.webhookFaces, d.target === 'endpoint' ? d.endpoint_format : null);
  const content = face?.render({
    secret: (d.target === 'endpoint' ? d.endpoint_secret : d.tenant_secret)!,
    tenantId: d.tenant_id,
    event: {
      id: d.event_id, type: d.event_type, created_at: d.event_created_at, payload: d.payload,
      native: isNativeEvent(d), previous_attributes: d.previous_attributes, request_id: d.request_id,
    },
    // The name the delivery was made with, so a retry or a replay sends the same one.
    name: d.name,
    names: namesIn(face, { type: d.event_type, payload: d.payload, face_names: d.face_names }),
    paymentSnapshot: d.payment_snapshot,
    apiVersion: d.endpoint_api_version,
  });
  if (!content) {
    // A format no face of this process serves (a worker older than the API that made the endpoint) is not sent at all.
    const error = face ? `${d.name} has no ${face.format} body` : `no gateway face here serves the webhook format ${JSON.stringify(d.endpoint_format)}`;
    return { d, at, url, headers: null, result: { statusCode: null, latencyMs: 0, body: null, error, retryAfterSec: null }, outcome: { status: 'dead', disableEndpoint: false } };
  }
  const { body } = content;
  const headers = { ...content.headers, 'x-sandpay-delivery': d.id, 'x-sandpay-attempt': String(d.attempt_count + 1) };
  const result = await post(url, body, headers);
  return { d, at, url, headers, result, outcome: decide(result, d.round_attempts + 1, d.target, svc.config.webhooks) };
}

/**
 * When the job of a retry due `retryInSec` after an attempt made at `at` (on its tenant's clock)
 * starts, in real time; null: no job, something else attempts it (a clock advance that owns
 * it, src/webhooks/clock.ts; a retry it leaves undone has no live job, so reconciliation
 * requeues it).
 */
export type RetryJobAt = (at: Date | null, retryInSec: number) => Date | null;

const realRetry: RetryJobAt = (_at, retryInSec) => new Date(Date.now() + retryInSec * 1000);

/**
 * Records a batch of attempts: the attempt rows and the deliveries' new states in one
 * statement. When every attempt was delivered that is all; retries and dead letters also
 * enqueue jobs, so then everything runs in one transaction with them. A delivery requeued by
 * someone else meanwhile (its job_id changed) is left to the job that owns it now.
 */
async function record(svc: DeliveryServices, attempts: Attempted[], retryJobAt: RetryJobAt = realRetry): Promise<void> {
  const rows = attempts.map(({ d, at, url, headers, result, outcome }) => ({
    d,
    at,
    url,
    headers,
    result,
    outcome,
    nextJob: outcome.status === 'failed' ? randomUUID() : null,
    dlqJob: outcome.status === 'dead' ? randomUUID() : null,
    error: outcome.status === 'dead' && outcome.disableEndpoint ? 'receiver answered 410 Gone: endpoint disabled' : result.error,
  }));
  const records: AttemptRecord[] = rows.map((x) => ({
    id: x.d.id, jobId: x.d.job_id, status: x.outcome.status, url: x.url, statusCode: x.result.statusCode, error: x.error,
    retryInSec: x.outcome.status === 'failed' ? x.outcome.retryInSec : null, nextJob: x.nextJob, dlqJob: x.dlqJob,
    attempt: x.d.attempt_count + 1, latencyMs: x.result.latencyMs, responseBody: x.result.body, requestHeaders: x.headers, at: x.at,
  }));
  const write = (db: Queryable) => recordAttempts(db, records);
  if (rows.every((x) => x.outcome.status === 'delivered')) {
    await write(svc.db);
    return;
  }
  await svc.db.tx(async (t) => {
    const written = new Set((await write(t)).map((w) => w.delivery_id));
    const mine = rows.filter((x) => written.has(x.d.id));
    const retries = mine.filter((x) => x.nextJob).map((x) => ({ x, startAfter: retryJobAt(x.at, (x.outcome as { retryInSec: number }).retryInSec) }));
    await enqueue(t, svc.boss, WEBHOOK_DELIVERY, retries.filter((r) => r.startAfter !== null).map(({ x, startAfter }) => ({
      id: x.nextJob!, data: { deliveryId: x.d.id }, startAfter: startAfter!,
    })));
    // Into pg-boss's dead-letter queue, in the same transaction that marks the deliveries dead.
    await enqueue(t, svc.boss, WEBHOOK_DLQ, mine.filter((x) => x.dlqJob).map((x) => ({
      id: x.dlqJob!, data: { deliveryId: x.d.id, tenantId: x.d.tenant_id, eventId: x.d.event_id },
    })));
    for (const x of mine.filter((y) => y.outcome.status === 'dead' && y.outcome.disableEndpoint)) {
      await disableGoneEndpoint(t, x.d.endpoint_id);
      audit(t, svc, {
        tenantId: x.d.tenant_id, objectType: 'webhook_endpoint', objectId: x.d.endpoint_id!, action: 'webhook_endpoint.disabled',
        actor: SYSTEM_ACTOR, metadata: { reason: '410 Gone', delivery_id: x.d.id },
      });
    }
  });
}

/**
 * Runs `fn` over the claimed deliveries concurrently, except that one payment's (or one event's)
 * deliveries to one target go one after the other, in the order claimed: a receiver sees a
 * payment's events in the order they happened, and many payments still go out at once.
 */
async function inOrderPerTarget<R>(claimed: ClaimedDelivery[], fn: (d: ClaimedDelivery) => Promise<R>): Promise<R[]> {
  const byTarget = new Map<string, number[]>();
  claimed.forEach((d, i) => {
    const key = `${d.endpoint_id ?? `url:${d.url}`} ${d.payment_id ?? d.event_id}`;
    const list = byTarget.get(key);
    if (list) list.push(i);
    else byTarget.set(key, [i]);
  });
  const results = new Array<R>(claimed.length);
  await Promise.all([...byTarget.values()].map(async (indexes) => {
    for (const i of indexes) results[i] = await fn(claimed[i]!);
  }));
  return results;
}

/**
 * One attempt for each delivery the batch's jobs own, `perRound` at a time (a commit's job may own
 * many: its events times the endpoints): claim them together, POST concurrently but, for one
 * payment and one target, in the events' order (a face's payment.authorized before its
 * payment.captured, then order.paid), record together, until the jobs own nothing left to
 * attempt. Safe to run twice for a job: the lease and the job_id guard make the second run a no-op.
 */
export async function deliver(svc: DeliveryServices, post: Poster, jobIds: string[], perRound: number): Promise<void> {
  for (;;) {
    const claimed = await claim(svc, jobIds, perRound);
    if (claimed.length > 0) await record(svc, await inOrderPerTarget(claimed, (d) => attempt(svc, post, d)));
    // A short round took all there was (what another worker holds is its to finish).
    if (claimed.length < perRound) return;
  }
}

/**
 * A tenant's clock advance: one attempt for each of the tenant's deliveries due at or before `at`
 * (its clock's time), whichever job owns them, made as if at `at` (the attempt's and its retry's
 * times on the tenant's clock). `retryJobAt` says when the retries' jobs start.
 */
export async function deliverDue(svc: DeliveryServices, post: Poster, tenantId: string, at: Date, perRound: number, retryJobAt: RetryJobAt): Promise<void> {
  for (;;) {
    const claimed = await claimDueDeliveries(svc.db, tenantId, at, leaseMs(svc), snapshotFormats(svc), perRound);
    if (claimed.length > 0) await record(svc, await Promise.all(claimed.map((d) => attempt(svc, post, d, at))), retryJobAt);
    if (claimed.length < perRound) return;
  }
}

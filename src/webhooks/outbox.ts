import { randomUUID } from 'node:crypto';
import type { CheckpointView } from '../audit/stored-checkpoints.ts';
import type { RequestContext } from '../core/context.ts';
import type { JobDb, Tx } from '../db/pool.ts';
import { NATIVE_NAMES_KEY, type FaceObjectEvent, type NewEvent } from '../events/types.ts';
import { newId } from '../ids.ts';
import { QUEUES } from '../jobs/boss.ts';
import type { Queue } from '../jobs/workers.ts';
import { systemCtx } from '../tenants/tenants.ts';
import { faceNames } from './faces.ts';
import type { WebhookServices } from './services.ts';
import { deferEventsAndDeliveries } from './store.ts';

/**
 * The outbox: a transaction's events, the webhook deliveries they fan out to, and the jobs that
 * deliver them, all written in that transaction, so an event exists exactly when its change
 * committed and none is lost to a crash after the commit. It owns the events and the deliveries
 * (their one statement is this folder's store's deferEventsAndDeliveries) and the delivery queue.
 */

/** Where a failed delivery's last job goes: kept a month, for the operator's dead-letter list. */
export const WEBHOOK_DLQ = { name: QUEUES.webhookDlq, options: { retentionSeconds: 30 * 24 * 3600 } };

/**
 * The delivery jobs: one per commit that raised events, then one per retry or replay. pg-boss's
 * own retries only cover a worker that died mid-job; webhook retries follow WEBHOOK_RETRY_SCHEDULE
 * and are scheduled by the delivery worker itself (src/webhooks/deliver.ts).
 */
export const WEBHOOK_DELIVERY: Queue = { name: QUEUES.webhookDelivery, options: { retryLimit: 3, retryDelay: 1 }, deadLetter: WEBHOOK_DLQ };

export type OutboxServices = Pick<WebhookServices, 'boss' | 'webhookFaces'>;

/** Each open transaction's queued events (gone with the transaction object). */
const pendingOf = new WeakMap<Tx, { tenantId: string; events: Array<NewEvent | FaceObjectEvent> }>();

/** pg-boss's statements, sent with the COMMIT instead of waited for: their answer is not needed. */
const deferredJobs = (t: Tx): JobDb => ({
  executeSql: async (text, values) => {
    t.defer(text, values);
    return { rows: [] };
  },
});

/**
 * Queues events in the caller's transaction. They are written to the outbox just before COMMIT,
 * all of them in one INSERT and one fan-out to webhook deliveries, so a transaction costs the
 * same few statements however many events it raises. Order is kept: created_at follows the order
 * of the calls. A face's own event (FaceObjectEvent) goes the same way, to its face's endpoints only.
 */
export function emitEvents(t: Tx, svc: OutboxServices, ctx: RequestContext, events: Array<NewEvent | FaceObjectEvent>): void {
  let pending = pendingOf.get(t);
  if (!pending) {
    pending = { tenantId: ctx.tenant.id, events: [] };
    pendingOf.set(t, pending);
    const queued = pending.events;
    t.beforeCommit(() => writeEvents(t, svc, ctx, queued));
  }
  // They are written under the first caller's tenant: a transaction's events are one tenant's.
  if (ctx.tenant.id !== pending.tenantId) throw new Error(`events of tenants ${pending.tenantId} and ${ctx.tenant.id} in one transaction`);
  pending.events.push(...events);
}

/**
 * An event's names in the faces, kept with it: a ledger event's as each face names it (some from
 * what only this writer knows: awaits); a face's own event its one name there and no native one.
 */
function namesOf(svc: OutboxServices, event: NewEvent | FaceObjectEvent): string {
  if ('face' in event) return JSON.stringify({ [event.face]: [event.type], [NATIVE_NAMES_KEY]: [] });
  return faceNames(svc.webhookFaces, { type: event.type, object: event.object, awaits: event.awaits });
}

async function writeEvents(t: Tx, svc: OutboxServices, ctx: RequestContext, events: Array<NewEvent | FaceObjectEvent>): Promise<void> {
  if (events.length === 0) return;
  const written = events.map((event) => ({ id: newId('event'), event, faceNames: namesOf(svc, event) }));
  const jobId = randomUUID();
  // One statement writes the events and fans them out to webhook deliveries, every one of them
  // owned by one delivery job; pg-boss's own insert (its public API, with an executor that
  // defers) makes that job. Neither needs an answer, so both go with the COMMIT.
  deferEventsAndDeliveries(t, ctx.tenant.id, written, jobId, ctx.requestId);
  // A job whose events found no target finds nothing to deliver and ends at once.
  await svc.boss.insert(WEBHOOK_DELIVERY.name, [{ id: jobId, data: { eventIds: written.map((e) => e.id) } }], { db: deferredJobs(t) });
}

/** The checkpointSigned hook: a tenant gets its own copy of its chain's checkpoint (webhook, GET /events). */
export async function announceCheckpoint(t: Tx, svc: OutboxServices, chain: string, checkpoint: CheckpointView): Promise<void> {
  const owner = chain === 'global' ? null : await systemCtx(t, chain);
  if (owner) emitEvents(t, svc, owner, [{ type: 'audit.checkpoint', object: checkpoint, paymentId: null }]);
}

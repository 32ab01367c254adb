import { randomUUID } from 'node:crypto';
import type { JobDb, Tx } from '../db/pool.ts';
import { EVENTS_CHANNEL } from '../events/hub.ts';
import type { NewEvent } from '../events/types.ts';
import { newId } from '../ids.ts';
import { QUEUES } from '../jobs/boss.ts';
import type { Ctx } from '../services.ts';
import { faceNames } from '../webhooks/faces.ts';
import { FAN_OUT_TARGETS } from '../webhooks/fanout.ts';

const PENDING = Symbol('pending events');

/** pg-boss's statements, sent with the COMMIT instead of waited for: their answer is not needed. */
const deferredJobs = (t: Tx): JobDb => ({
  executeSql: async (text, values) => {
    t.defer(text, values);
    return { rows: [] };
  },
});

/**
 * Queues events in the caller's transaction. They are written to the outbox just before COMMIT,
 * all of them in one INSERT and one fan-out to webhook deliveries, so an event exists exactly
 * when its state change committed and a transaction costs the same few statements however
 * many events it raises. Order is kept: created_at follows the order of the calls.
 */
export function emitEvents(t: Tx, ctx: Ctx, events: NewEvent[]): void {
  let pending = t.scratch.get(PENDING) as { tenantId: string; events: NewEvent[] } | undefined;
  if (!pending) {
    pending = { tenantId: ctx.tenant.id, events: [] };
    t.scratch.set(PENDING, pending);
    const queued = pending.events;
    t.beforeCommit(() => writeEvents(t, ctx, queued));
  }
  // They are written under the first caller's tenant: a transaction's events are one tenant's.
  if (ctx.tenant.id !== pending.tenantId) throw new Error(`events of tenants ${pending.tenantId} and ${ctx.tenant.id} in one transaction`);
  pending.events.push(...events);
}

async function writeEvents(t: Tx, ctx: Ctx, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const ids = events.map(() => newId('event'));
  const jobId = randomUUID();
  // One statement writes the events and fans them out to webhook deliveries (FAN_OUT_TARGETS:
  // one per enabled endpoint that wants the type, plus the payment's own webhook_url; ids made
  // in SQL), every one of them owned by one delivery job; pg-boss's own insert (its public API,
  // with an executor that defers) makes that job. Neither needs an answer, so both go with the
  // COMMIT. The NOTIFY is delivered at COMMIT and dropped on ROLLBACK, so event streams are told
  // of exactly the events that exist (their positions, tx and pos, come from column defaults).
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
      ctx.tenant.id,
      ids,
      events.map((e) => e.type),
      events.map((e) => e.object.object),
      events.map((e) => e.object.id),
      events.map((e) => e.paymentId),
      events.map((e) => JSON.stringify(e.object)),
      events.map((e) => faceNames(ctx.svc.webhookFaces, e.type)),
      jobId,
    ],
  );
  // A job whose events found no target finds nothing to deliver and ends at once.
  await ctx.svc.boss.insert(QUEUES.webhookDelivery, [{ id: jobId, data: { eventIds: ids } }], { db: deferredJobs(t) });
}

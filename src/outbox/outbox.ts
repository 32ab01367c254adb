import { randomUUID } from 'node:crypto';
import type { JobDb, Tx } from '../db/pool.ts';
import type { NewEvent } from '../events/types.ts';
import { newId } from '../ids.ts';
import { QUEUES } from '../jobs/boss.ts';
import type { Ctx, Services } from '../services.ts';
import { faceNames } from '../webhooks/faces.ts';
import { deferEventsAndDeliveries } from '../webhooks/store.ts';

export type OutboxServices = Pick<Services, 'boss' | 'webhookFaces'>;

/** Each open transaction's queued events (gone with the transaction object). */
const pendingOf = new WeakMap<Tx, { tenantId: string; events: NewEvent[] }>();

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
export function emitEvents(t: Tx, svc: OutboxServices, ctx: Ctx, events: NewEvent[]): void {
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

async function writeEvents(t: Tx, svc: OutboxServices, ctx: Ctx, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const written = events.map((event) => ({ id: newId('event'), event, faceNames: faceNames(svc.webhookFaces, event.type, event.object) }));
  const jobId = randomUUID();
  // One statement writes the events and fans them out to webhook deliveries, every one of them
  // owned by one delivery job; pg-boss's own insert (its public API, with an executor that
  // defers) makes that job. Neither needs an answer, so both go with the COMMIT.
  deferEventsAndDeliveries(t, ctx.tenant.id, written, jobId);
  // A job whose events found no target finds nothing to deliver and ends at once.
  await svc.boss.insert(QUEUES.webhookDelivery, [{ id: jobId, data: { eventIds: written.map((e) => e.id) } }], { db: deferredJobs(t) });
}

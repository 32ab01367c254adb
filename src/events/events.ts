import type { Tx } from '../db/pool.ts';
import { newId } from '../ids.ts';
import type { Ctx } from '../services.ts';
import { fanOutEvents } from '../webhooks/fanout.ts';

export const EVENT_TYPES = [
  'payment.created',
  'payment.authorized',
  'payment.success',
  'payment.failed',
  'payment.flagged',
  'payment.expired',
  'payment.refunded',
  'payment.partially_refunded',
  'refund.created',
  'refund.processed',
  'refund.failed',
  'fraud.detected',
  'order.paid',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An API object as the API shows it: every payload has `object` and `id`. */
export interface ApiObject {
  object: string;
  id: string;
  [key: string]: unknown;
}

export interface NewEvent {
  type: EventType;
  object: ApiObject;
  /** The payment this event is about (payment, refund or fraud events), for its webhook_url. */
  paymentId: string | null;
}

export interface DbEvent {
  id: string;
  tenant_id: string;
  type: EventType;
  object_type: string;
  object_id: string;
  payment_id: string | null;
  payload: ApiObject;
  created_at: Date;
}

export interface EmittedEvent {
  id: string;
  type: EventType;
  paymentId: string | null;
}

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
  await t.rows(
    `INSERT INTO events (id, tenant_id, type, object_type, object_id, payment_id, payload)
     SELECT id, $1::text, type, object_type, object_id, payment_id, payload
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::json[])
            WITH ORDINALITY AS e (id, type, object_type, object_id, payment_id, payload, n)
      ORDER BY n`,
    [
      ctx.tenant.id,
      ids,
      events.map((e) => e.type),
      events.map((e) => e.object.object),
      events.map((e) => e.object.id),
      events.map((e) => e.paymentId),
      events.map((e) => JSON.stringify(e.object)),
    ],
  );
  await fanOutEvents(t, ctx, events.map((e, i) => ({ id: ids[i]!, type: e.type, paymentId: e.paymentId })));
}

/** The event exactly as a webhook delivers it (and as GET /events/:id shows it). */
export function eventBody(e: Pick<DbEvent, 'id' | 'type' | 'created_at' | 'payload'>) {
  return { id: e.id, type: e.type, created_at: e.created_at.toISOString(), data: { object: e.payload } };
}

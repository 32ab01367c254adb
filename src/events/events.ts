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
  createdAt: Date;
}

/**
 * Writes events to the outbox in the caller's transaction (one INSERT for the batch), so an
 * event exists exactly when its state change committed, and fans them out to webhook deliveries.
 */
export async function emitEvents(t: Tx, ctx: Ctx, events: NewEvent[]): Promise<EmittedEvent[]> {
  if (events.length === 0) return [];
  const ids = events.map(() => newId('event'));
  const rows = await t.rows<{ id: string; created_at: Date }>(
    `INSERT INTO events (id, tenant_id, type, object_type, object_id, payment_id, payload)
     SELECT id, $1::text, type, object_type, object_id, payment_id, payload
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::json[])
            WITH ORDINALITY AS e (id, type, object_type, object_id, payment_id, payload, n)
      ORDER BY n
     RETURNING id, created_at`,
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
  const createdAt = new Map(rows.map((r) => [r.id, r.created_at]));
  const emitted = events.map((e, i) => ({ id: ids[i]!, type: e.type, paymentId: e.paymentId, createdAt: createdAt.get(ids[i]!)! }));
  await fanOutEvents(t, ctx, emitted);
  return emitted;
}

/** The event exactly as a webhook delivers it (and as GET /events/:id shows it). */
export function eventBody(e: Pick<DbEvent, 'id' | 'type' | 'created_at' | 'payload'>) {
  return { id: e.id, type: e.type, created_at: e.created_at.toISOString(), data: { object: e.payload } };
}

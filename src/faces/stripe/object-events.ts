import type { RequestContext } from '../../core/context.ts';
import type { Tx } from '../../db/pool.ts';
import type { ApiObject } from '../../events/types.ts';
import { emitEvents, type OutboxServices } from '../../webhooks/outbox.ts';
import type { ObjectEventType } from './events.ts';
import { stripeHttpFace } from './http-face.ts';

/**
 * Events of the face's own objects (customers, payment methods, the catalog), which no ledger
 * event tells of. They go through the outbox in the writer's transaction, as the ledger's do
 * (deliveries, retries, DLQ, replay, Stripe's Events API), as Stripe objects under their one
 * Stripe name; they have no native name, so Sandpay's own API, stream and endpoints never see them.
 */

type Json = Record<string, unknown>;

/** Raises one event: the object as Stripe shows it, and for an update what it was before. */
export type Raise = (type: ObjectEventType, object: Json, before?: Json) => void;

/** A write's Raise: its events join the transaction `t` of the request `ctx`. */
export function raiser(t: Tx, svc: OutboxServices, ctx: RequestContext): Raise {
  return (type, object, before) => {
    const previousAttributes = before ? previousAttributesOf(before, object) : null;
    // An update that changed nothing is no event (Stripe sends none either).
    if (before && !previousAttributes) return;
    emitEvents(t, svc, ctx, [{ face: stripeHttpFace.name, type, object: object as ApiObject, paymentId: null, previousAttributes }]);
  };
}

const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Stripe's data.previous_attributes: each field that changed, as it was. Within a hash on both
 * sides (metadata, invoice_settings, an address) only its changed keys, a key added now as null;
 * anything else (a scalar, an array, a hash that was null) whole. Null when nothing changed.
 */
export function previousAttributesOf(before: Json, after: Json): Json | null {
  const changed: Json = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[key];
    const now = after[key];
    if (same(was, now)) continue;
    changed[key] = isPlain(was) && isPlain(now) ? previousAttributesOf(was, now) : (was ?? null);
  }
  return Object.keys(changed).length > 0 ? changed : null;
}

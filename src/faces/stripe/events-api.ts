import { DomainError } from '../../core/errors.ts';
import type { Queryable } from '../../db/pool.ts';
import { getEvent, listEventsNamed } from '../../events/store.ts';
import { withCursors } from './cursors.ts';
import { isNativeEvent, type ApiObject, type DbEvent } from '../../events/types.ts';
import { paymentsByIds } from '../../payments/store.ts';
import { paymentView } from '../../payments/payments.ts';
import { noSuch } from './errors.ts';
import { namePattern, parseStripeEventId } from './events.ts';
import { API_VERSION } from './http-face.ts';
import { stripeEventBody, stripeWebhookFace } from './webhook-face.ts';

/**
 * Stripe's Events API over the tenant's event log: each native event under each of the Stripe
 * names the outbox kept for it (face_names), as the Event a Stripe-format endpoint gets under
 * that name, with the same id (its current API version; `pending_webhooks` 0, as Sandpay does
 * not count a tenant's outstanding deliveries per event here). Events written before names were
 * kept are not shown.
 */

type Json = Record<string, unknown>;

const FORMAT = stripeWebhookFace.format;

/** A Stripe event: a native event under its name at `index`. */
interface Named {
  event: DbEvent;
  index: number;
}

const stripeNames = (e: DbEvent): readonly string[] => e.face_names?.[FORMAT] ?? [];

/** The payments refund events name, for their PaymentIntent (an order id never changes, so now is as good as then). */
async function paymentsOf(db: Queryable, tenantId: string, events: DbEvent[]): Promise<Map<string, ApiObject>> {
  const ids = [...new Set(events.flatMap((e) => (e.payload.object === 'refund' && e.payment_id ? [e.payment_id] : [])))];
  const rows = ids.length ? await paymentsByIds(db, tenantId, ids) : [];
  return new Map(rows.map((p) => [p.id, paymentView(p) as unknown as ApiObject] as const));
}

async function eventObjects(db: Queryable, tenantId: string, named: Named[]): Promise<Json[]> {
  const payments = await paymentsOf(db, tenantId, named.map((n) => n.event));
  return named.flatMap(({ event: e, index }) => {
    const snapshot = (e.payment_id && payments.get(e.payment_id)) || null;
    const body = stripeEventBody({ ...e, native: isNativeEvent(e) }, { names: stripeNames(e), index, apiVersion: API_VERSION, pendingWebhooks: 0, paymentSnapshot: snapshot });
    return body ? [body] : [];
  });
}

/**
 * The tenant's Stripe event of a Stripe id; another tenant's, one Stripe has no name for
 * (audit.checkpoint, a payment.created settled at once…) or an id of no event is Stripe's 404.
 */
async function stripeEventAt(db: Queryable, tenantId: string, id: string, param: string): Promise<Named> {
  const parsed = parseStripeEventId(id);
  if (!parsed) throw noSuch('event', id, param);
  let event: DbEvent;
  try {
    event = await getEvent(db, tenantId, parsed.eventId);
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'not_found') throw noSuch('event', id, param);
    throw err;
  }
  if (parsed.index >= stripeNames(event).length) throw noSuch('event', id, param);
  return { event, index: parsed.index };
}

export async function retrieveEvent(db: Queryable, tenantId: string, id: string): Promise<Json> {
  const [body] = await eventObjects(db, tenantId, [await stripeEventAt(db, tenantId, id, 'id')]);
  if (!body) throw noSuch('event', id, 'id');
  return body;
}

export interface EventListQuery {
  limit: number;
  type?: string | undefined;
  types?: string[] | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
}

/**
 * A page of the tenant's Stripe events, newest first: of a `type` (`*` a wildcard) or one of
 * `types`, or any. A native event's Stripe events come newest first too (its last name first), and
 * a cursor may stand between two of them: the page then starts (or ends) with the rest of its
 * event's names before the native events after (or before) it. Every native event the page reads
 * gives at least one Stripe event, so `limit` of them fill it.
 */
export async function listStripeEvents(db: Queryable, tenantId: string, q: EventListQuery): Promise<{ data: Json[]; hasMore: boolean }> {
  const patterns = q.type !== undefined ? [q.type] : (q.types ?? ['*']);
  const pattern = namePattern(patterns);
  const wanted = new RegExp(pattern);
  const forward = q.endingBefore === undefined;
  const cursorId = q.startingAfter ?? q.endingBefore;
  const at = cursorId === undefined ? undefined : await stripeEventAt(db, tenantId, cursorId, forward ? 'starting_after' : 'ending_before');
  // The page runs from the cursor's native event (a cursor outside this list is Stripe's 404).
  const page = await withCursors('event', q, (id) => id, () => listEventsNamed(db, tenantId, { face: FORMAT, pattern, createdFrom: q.createdFrom, createdTo: q.createdTo },
    { limit: q.limit, startingAfter: forward ? at?.event.id : undefined, endingBefore: forward ? undefined : at?.event.id }, (e) => e));
  const stripeEvents = (e: DbEvent): Named[] => stripeNames(e).flatMap((name, index) => (wanted.test(name) ? [{ event: e, index }] : [])).reverse();
  const natives = page.data.flatMap(stripeEvents);
  let items: Named[];
  if (!at) items = natives;
  else if (forward) items = [...stripeEvents(at.event).filter((n) => n.index < at.index), ...natives];
  else items = [...natives, ...stripeEvents(at.event).filter((n) => n.index > at.index)];
  const picked = forward ? items.slice(0, q.limit) : items.slice(-q.limit);
  return { data: await eventObjects(db, tenantId, picked), hasMore: items.length > q.limit || page.has_more };
}

import { DomainError } from '../../core/errors.ts';
import type { Queryable } from '../../db/pool.ts';
import { getEvent, listEventsSelected } from '../../events/store.ts';
import type { ApiObject, DbEvent } from '../../events/types.ts';
import { paymentsByIds } from '../../payments/store.ts';
import { paymentView } from '../../payments/payments.ts';
import { noSuch } from './errors.ts';
import { nameMatcher, selectorsFor } from './events.ts';
import { API_VERSION } from './http-face.ts';
import { stripeEventBody } from './webhook-face.ts';

/**
 * Stripe's Events API over the tenant's event log: each native event that has a Stripe name, as
 * the Event a Stripe-format endpoint gets (its current API version; `pending_webhooks` 0, as
 * Sandpay does not count a tenant's outstanding deliveries per event here).
 */

type Json = Record<string, unknown>;

/** The payments refund events name, for their PaymentIntent (an order id never changes, so now is as good as then). */
async function paymentsOf(db: Queryable, tenantId: string, events: DbEvent[]): Promise<Map<string, ApiObject>> {
  const ids = [...new Set(events.flatMap((e) => (e.payload.object === 'refund' && e.payment_id ? [e.payment_id] : [])))];
  const rows = ids.length ? await paymentsByIds(db, tenantId, ids) : [];
  return new Map(rows.map((p) => [p.id, paymentView(p) as unknown as ApiObject] as const));
}

async function eventObjects(db: Queryable, tenantId: string, events: DbEvent[]): Promise<Json[]> {
  const payments = await paymentsOf(db, tenantId, events);
  return events.flatMap((e) => {
    const body = stripeEventBody(e, { apiVersion: API_VERSION, pendingWebhooks: 0, paymentSnapshot: (e.payment_id && payments.get(e.payment_id)) || null });
    return body ? [body] : [];
  });
}

/** The tenant's event and its Stripe shape; another tenant's, or one Stripe has no name for (audit.checkpoint, payment.created…), is Stripe's 404. */
async function eventAndBody(db: Queryable, tenantId: string, id: string, param: string): Promise<Json> {
  let event: DbEvent;
  try {
    event = await getEvent(db, tenantId, id);
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'not_found') throw noSuch('event', id, param);
    throw err;
  }
  const [body] = await eventObjects(db, tenantId, [event]);
  if (!body) throw noSuch('event', id, param);
  return body;
}

export const retrieveEvent = (db: Queryable, tenantId: string, id: string) => eventAndBody(db, tenantId, id, 'id');

export interface EventListQuery {
  limit: number;
  type?: string | undefined;
  types?: string[] | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
}

/** A page of the tenant's Stripe events, newest first: of a `type` (`*` a wildcard) or one of `types`, or any. */
export async function listStripeEvents(db: Queryable, tenantId: string, q: EventListQuery): Promise<{ data: Json[]; hasMore: boolean }> {
  if (q.startingAfter !== undefined) await eventAndBody(db, tenantId, q.startingAfter, 'starting_after');
  if (q.endingBefore !== undefined) await eventAndBody(db, tenantId, q.endingBefore, 'ending_before');
  const wanted = q.type !== undefined ? nameMatcher(q.type) : q.types !== undefined ? (n: string) => q.types!.includes(n) : () => true;
  const page = await listEventsSelected(db, tenantId, { selectors: selectorsFor(wanted), createdFrom: q.createdFrom, createdTo: q.createdTo },
    { limit: q.limit, startingAfter: q.startingAfter, endingBefore: q.endingBefore }, (e) => e);
  return { data: await eventObjects(db, tenantId, page.data), hasMore: page.has_more };
}

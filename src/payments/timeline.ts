import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { eventBody } from '../events/events.ts';
import { eventsOfPayment } from '../events/store.ts';
import { anyEventObject } from '../events/schemas.ts';
import { deliveryView, withAttempts } from '../webhooks/deliveries.ts';
import { deliveryObject } from '../webhooks/schemas.ts';
import { deliveriesOfEvents } from '../webhooks/store.ts';
import { getPayment } from './store.ts';

/** Events shown on one payment's timeline. */
const TIMELINE_MAX = 500;

/**
 * A payment's story for the dashboard's detail page: every event about the payment or one of
 * its refunds, oldest first, each with the webhook deliveries it caused and their attempts.
 * Three indexed queries whatever the number of events.
 */

export const timelineEntryObject = z
  .strictObject({ event: anyEventObject, deliveries: z.array(deliveryObject) })
  .meta({ id: 'PaymentTimelineEntry' });

export async function paymentTimeline(db: Queryable, tenantId: string, paymentId: string) {
  const payment = await getPayment(db, tenantId, paymentId);
  const events = await eventsOfPayment(db, payment.tenant_id, payment.id, TIMELINE_MAX + 1);
  const hasMore = events.length > TIMELINE_MAX;
  if (hasMore) events.pop();
  const deliveries = events.length ? await deliveriesOfEvents(db, payment.tenant_id, events.map((e) => e.id)) : [];
  const views = await withAttempts(db, deliveries.map((d) => deliveryView(d)));
  const byEvent = Map.groupBy(views, (d) => d.event_id);
  return {
    object: 'list' as const,
    data: events.map((e) => ({ event: eventBody(e), deliveries: byEvent.get(e.id) ?? [] })),
    // The oldest events first; a payment with more than this many says so rather than cutting off quietly.
    has_more: hasMore,
    next_cursor: null,
  };
}

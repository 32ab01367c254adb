import type { Tx } from '../db/pool.ts';
import type { EmittedEvent } from '../events/types.ts';
import { QUEUES } from '../jobs/boss.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { razorpayEventOf } from '../razorpay/events.ts';
import type { Ctx } from '../services.ts';

/**
 * Turns freshly written events into deliveries: one per enabled endpoint subscribed to the type
 * (or "*"), plus one to the payment's own webhook_url, each with its job, all in the caller's
 * transaction. Nothing is held in memory, so a crash after commit loses nothing.
 */
export async function fanOutEvents(t: Tx, ctx: Ctx, events: EmittedEvent[]): Promise<void> {
  // One statement finds the targets and writes the deliveries (ids made in SQL); a second
  // enqueues their jobs. The job ids are the ones stored on the deliveries.
  const deliveries = await t.rows<{ id: string; job_id: string }>(
    `WITH targets AS (
       SELECT e.id AS event_id, e.type AS event_type, w.id AS endpoint_id, w.url
         FROM unnest($2::text[], $3::text[], $5::text[]) AS e (id, type, razorpay_type)
         JOIN webhook_endpoints w ON w.tenant_id = $1::text AND w.enabled AND w.deleted_at IS NULL
                                 AND webhook_wants(w.format, w.events, e.type, e.razorpay_type)
       UNION ALL
       SELECT e.id, e.type, NULL, p.webhook_url
         FROM unnest($2::text[], $3::text[], $4::text[]) AS e (id, type, payment_id)
         JOIN payments p ON p.id = e.payment_id AND p.webhook_url IS NOT NULL
     )
     INSERT INTO webhook_deliveries (id, tenant_id, event_id, event_type, endpoint_id, target, url, status, job_id)
     SELECT 'whd_' || random_public_id(), $1::text, event_id, event_type, endpoint_id,
            CASE WHEN endpoint_id IS NULL THEN 'payment_url' ELSE 'endpoint' END, url, 'pending', gen_random_uuid()
       FROM targets
     RETURNING id, job_id`,
    [ctx.tenant.id, events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.paymentId), events.map((e) => razorpayEventOf(e.type))],
  );
  await enqueue(t, ctx.svc.boss, QUEUES.webhookDelivery, deliveries.map((d) => ({ id: d.job_id, data: { deliveryId: d.id } })));
}

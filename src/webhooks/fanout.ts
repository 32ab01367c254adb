import type { Tx } from '../db/pool.ts';
import { QUEUES } from '../jobs/boss.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Ctx } from '../services.ts';

/**
 * Where freshly written events go: one delivery per enabled endpoint subscribed to the type (or
 * "*", or its Razorpay name for Razorpay-format endpoints), plus one to the payment's own
 * webhook_url. A CTE named `targets` for the statement that writes the events
 * (src/events/events.ts), over its parameters: $1 tenant, $2 event ids, $3 types, $6 payment
 * ids, $8 Razorpay event names. The deliveries are written by that same statement, so nothing
 * is held in memory and a crash after commit loses nothing.
 */
export const FAN_OUT_TARGETS = `targets AS (
       SELECT e.id AS event_id, e.type AS event_type, w.id AS endpoint_id, w.url
         FROM unnest($2::text[], $3::text[], $8::text[]) AS e (id, type, razorpay_type)
         JOIN webhook_endpoints w ON w.tenant_id = $1::text AND w.enabled AND w.deleted_at IS NULL
                                 AND webhook_wants(w.format, w.events, e.type, e.razorpay_type)
       UNION ALL
       SELECT e.id, e.type, NULL, p.webhook_url
         FROM unnest($2::text[], $3::text[], $6::text[]) AS e (id, type, payment_id)
         JOIN payments p ON p.id = e.payment_id AND p.webhook_url IS NOT NULL
     )`;

/** The deliveries' jobs, in the caller's transaction; the job ids are the ones stored on the deliveries. */
export async function enqueueDeliveries(t: Tx, ctx: Ctx, deliveries: Array<{ id: string; job_id: string }>): Promise<void> {
  await enqueue(t, ctx.svc.boss, QUEUES.webhookDelivery, deliveries.map((d) => ({ id: d.job_id, data: { deliveryId: d.id } })));
}

import { auditIn } from '../audit/append.ts';
import { badRequest, conflict, stateError } from '../core/errors.ts';
import type { Tx } from '../db/pool.ts';
import { getEvent } from '../events/events.ts';
import { QUEUES } from '../jobs/boss.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Ctx, Services } from '../services.ts';
import { deliveryView, type DbDelivery, type DeliveryView } from './deliveries.ts';
import { getEndpoint } from './endpoints.ts';
import { faceNames, faceOf } from './faces.ts';

/**
 * Delivers an existing event again (`sandpay events resend`): fresh deliveries through the
 * normal outbox, so the same event id goes out as the `webhook-id`, signed with each target's
 * current secret. To one endpoint when named (subscribed to the type or not: it was asked
 * for), else to the targets the event would have now: the enabled endpoints subscribed to its
 * type, and the payment's webhook_url.
 */
export async function resendEvent(t: Tx, svc: Services, ctx: Ctx, eventId: string, endpointId: string | undefined): Promise<DeliveryView[]> {
  const event = await getEvent(t, ctx.tenant.id, eventId);
  if (endpointId !== undefined) {
    const endpoint = await getEndpoint(t, ctx.tenant.id, endpointId, false, 'endpoint_id');
    if (!endpoint.enabled) {
      throw stateError('endpoint_disabled', 'This webhook endpoint is disabled; enable it (PATCH /webhook-endpoints/:id {"enabled":true}) and resend', 'endpoint_id');
    }
    const face = faceOf(svc.webhookFaces, endpoint.format);
    if (face.eventName(event.type) === null) {
      throw badRequest(`no_${face.format}_event`, `${event.type} has no ${face.label} counterpart, so a ${face.label}-format endpoint never receives it`, 'endpoint_id');
    }
  }

  // joins payments (owned by src/payments): the payment's webhook_url is a target, as in the fan-out (fanout.ts).
  const deliveries = await t.rows<DbDelivery>(
    `WITH targets AS (
       SELECT w.id AS endpoint_id, w.url FROM webhook_endpoints w
        WHERE w.tenant_id = $1::text AND w.enabled AND w.deleted_at IS NULL
          AND CASE WHEN $4::text IS NULL THEN webhook_wants(w.format, w.events, $3::text, $6::json ->> w.format) ELSE w.id = $4::text END
       UNION ALL
       SELECT NULL, p.webhook_url FROM payments p
        WHERE $4::text IS NULL AND p.id = $5::text AND p.tenant_id = $1::text AND p.webhook_url IS NOT NULL
     )
     INSERT INTO webhook_deliveries (id, tenant_id, event_id, event_type, endpoint_id, target, url, status, job_id)
     SELECT 'whd_' || random_public_id(), $1::text, $2::text, $3::text, endpoint_id,
            CASE WHEN endpoint_id IS NULL THEN 'payment_url' ELSE 'endpoint' END, url, 'pending', gen_random_uuid()
       FROM targets
     RETURNING *`,
    [ctx.tenant.id, event.id, event.type, endpointId ?? null, event.payment_id, faceNames(svc.webhookFaces, event.type)],
  );
  if (deliveries.length === 0) {
    throw conflict('no_webhook_targets', `No enabled webhook endpoint subscribes to ${event.type} and the payment has no webhook_url; name one with endpoint_id`);
  }
  await enqueue(t, svc.boss, QUEUES.webhookDelivery, deliveries.map((d) => ({ id: d.job_id!, data: { deliveryId: d.id } })));
  for (const d of deliveries) {
    auditIn(t, svc, ctx, { objectType: 'webhook_delivery', objectId: d.id, action: 'webhook_delivery.resent', newStatus: 'pending', metadata: { event_id: event.id } });
  }
  return deliveries.map((d) => deliveryView(d));
}

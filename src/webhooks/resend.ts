import { auditIn } from '../audit/append.ts';
import { badRequest, conflict, stateError } from '../core/errors.ts';
import type { Tx } from '../db/pool.ts';
import { getEvent } from '../events/store.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Ctx } from '../tenants/types.ts';
import { deliveryView, type DeliveryView } from './deliveries.ts';
import { faceNames, faceOf, namesIn } from './faces.ts';
import { WEBHOOK_DELIVERY } from './outbox.ts';
import type { WebhookServices } from './services.ts';
import { getEndpoint, insertResentDeliveries } from './store.ts';

/**
 * Delivers an existing event again (`sandpay events resend`): fresh deliveries through the
 * normal outbox, so the same event id goes out as the `webhook-id`, signed with each target's
 * current secret, under the names it was written with. To one endpoint when named: under the
 * names it lists, or all of the event's names in its face when it lists none of them (it was
 * asked for); else to the targets the event would have now: the enabled endpoints that want it,
 * under each name they want, and the payment's webhook_url.
 */
export async function resendEvent(t: Tx, svc: Pick<WebhookServices, 'boss' | 'audit' | 'webhookFaces'>, ctx: Ctx, eventId: string, endpointId: string | undefined): Promise<DeliveryView[]> {
  const event = await getEvent(t, ctx.tenant.id, eventId);
  let wanted: string[] | null = null;
  if (endpointId !== undefined) {
    const endpoint = await getEndpoint(t, ctx.tenant.id, endpointId, false, 'endpoint_id');
    if (!endpoint.enabled) {
      throw stateError('endpoint_disabled', 'This webhook endpoint is disabled; enable it (PATCH /webhook-endpoints/:id {"enabled":true}) and resend', 'endpoint_id');
    }
    const face = faceOf(svc.webhookFaces, endpoint.format);
    const names = namesIn(face, event);
    if (names.length === 0) {
      throw badRequest(`no_${face.format}_event`, `${event.type} has no ${face.label} counterpart, so a ${face.label}-format endpoint never receives it`, 'endpoint_id');
    }
    wanted = names.some((n) => endpoint.events.includes(n) || endpoint.events.includes('*')) ? endpoint.events : ['*'];
  }

  // An event written before its names were kept (migration 0026) is named as the faces name it now.
  const named = event.face_names ? JSON.stringify(event.face_names) : faceNames(svc.webhookFaces, { type: event.type, object: event.payload });
  const deliveries = await insertResentDeliveries(t, ctx.tenant.id, event, endpointId ?? null, named, wanted);
  if (deliveries.length === 0) {
    throw conflict('no_webhook_targets', `No enabled webhook endpoint subscribes to ${event.type} and the payment has no webhook_url; name one with endpoint_id`);
  }
  await enqueue(t, svc.boss, WEBHOOK_DELIVERY, deliveries.map((d) => ({ id: d.job_id!, data: { deliveryId: d.id } })));
  for (const d of deliveries) {
    auditIn(t, svc, ctx, { objectType: 'webhook_delivery', objectId: d.id, action: 'webhook_delivery.resent', newStatus: 'pending', metadata: { event_id: event.id } });
  }
  return deliveries.map((d) => deliveryView(d));
}

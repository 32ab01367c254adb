import { createHmac } from 'node:crypto';
import { eventBody, type ApiObject, type EventType } from '../events/events.ts';
import type { PaymentObject } from '../payments/schemas.ts';
import { razorpayEventBody } from '../razorpay/events.ts';
import { signatureHeaders } from './signature.ts';

/**
 * The body formats an endpoint can take. `sandpay`: the native event body with Standard Webhooks
 * and X-Sandpay-Signature headers. `razorpay`: Razorpay's event body with X-Razorpay-Signature
 * (hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret as a string, which is what
 * Razorpay.validateWebhookSignature checks) and X-Razorpay-Event-Id. Both go through the same
 * outbox, retries, dead-letter queue and replay; only the bytes and the signature differ.
 */
export const WEBHOOK_FORMATS = ['sandpay', 'razorpay'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface DeliveryContent {
  format: WebhookFormat;
  secret: string;
  tenantId: string;
  event: { id: string; type: EventType; created_at: Date; payload: ApiObject };
  /** For the Razorpay format: the payment as of the event, for refund and order events. */
  paymentSnapshot: ApiObject | null;
}

/** The raw body and signature headers of one attempt; null when the event has no body in this format. */
export function formatDelivery(c: DeliveryContent): { body: string; headers: Record<string, string> } | null {
  if (c.format === 'razorpay') {
    const rzp = razorpayEventBody({ ...c.event, tenant_id: c.tenantId }, c.paymentSnapshot as PaymentObject | null);
    if (!rzp) return null;
    const body = JSON.stringify(rzp);
    return {
      body,
      headers: { 'x-razorpay-signature': createHmac('sha256', c.secret).update(body).digest('hex'), 'x-razorpay-event-id': c.event.id },
    };
  }
  const body = JSON.stringify(eventBody(c.event));
  // A fresh timestamp and signature on every attempt; webhook-id stays the event id.
  return { body, headers: { ...signatureHeaders(c.secret, c.event.id, body), 'x-sandpay-event': c.event.type } };
}

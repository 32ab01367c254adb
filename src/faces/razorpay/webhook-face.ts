import { createHmac } from 'node:crypto';
import type { PaymentObject } from '../../payments/schemas.ts';
import type { WebhookFace } from '../../webhooks/faces.ts';
import { phpJsonEncode } from './json.ts';
import { RAZORPAY_EVENTS, razorpayEventBody, razorpayEventNames } from './events.ts';
import { ownEventSamples } from './webhook-samples.ts';

/**
 * Razorpay-format endpoints: Razorpay's event names and body, signed with X-Razorpay-Signature
 * (hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret as a string, which is what
 * Razorpay.validateWebhookSignature checks) and X-Razorpay-Event-Id. The body is written as
 * Razorpay's PHP writes it (json.ts), so only the raw bytes verify.
 */
export const razorpayWebhookFace: WebhookFace = {
  format: 'razorpay',
  label: 'Razorpay',
  events: RAZORPAY_EVENTS,
  describe: "razorpay: Razorpay's event names, body and X-Razorpay-Signature",
  eventNames: (e) => razorpayEventNames(e.type, e.object as { object?: unknown; authorized_at?: unknown } | undefined),
  withPaymentSnapshot: true,
  ownSecret: true,
  foreignNameHint: 'is a Razorpay event name: use it with "format": "razorpay" (Sandpay calls a captured payment payment.success)',
  render(c) {
    const rzp = razorpayEventBody({ ...c.event, tenant_id: c.tenantId }, c.paymentSnapshot as PaymentObject | null, c.name);
    if (!rzp) return null;
    const body = phpJsonEncode(rzp);
    // Each name is its own event to the receiver (handlers dedupe on X-Razorpay-Event-Id): the
    // first keeps the event's id, a later one (payment.captured after payment.authorized) adds its
    // position, the same on every retry.
    const index = c.names.indexOf(c.name);
    const eventId = index > 0 ? `${c.event.id}${index + 1}` : c.event.id;
    return { body, headers: { ...razorpayWebhookFace.sign({ secret: c.secret, id: eventId, body, signedAt: 0 }), 'x-razorpay-event-id': eventId } };
  },
  sign: (s) => ({ 'x-razorpay-signature': createHmac('sha256', s.secret).update(s.body).digest('hex') }),
  // Razorpay's signature is over the body alone: it carries no time, so no verifier can reject an old one.
  signatureToleranceSec: null,
  ownEventSamples,
};

import { createHmac } from 'node:crypto';
import type { PaymentObject } from '../../payments/schemas.ts';
import type { WebhookFace } from '../../webhooks/faces.ts';
import { RAZORPAY_EVENTS, razorpayEventBody, razorpayEventOf } from './events.ts';

/**
 * Razorpay-format endpoints: Razorpay's event names and body, signed with X-Razorpay-Signature
 * (hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret as a string, which is what
 * Razorpay.validateWebhookSignature checks) and X-Razorpay-Event-Id.
 */
export const razorpayWebhookFace: WebhookFace = {
  format: 'razorpay',
  label: 'Razorpay',
  events: RAZORPAY_EVENTS,
  describe: "razorpay: Razorpay's event names, body and X-Razorpay-Signature",
  eventNames: (e) => {
    const name = razorpayEventOf(e.type);
    return name ? [name] : [];
  },
  withPaymentSnapshot: true,
  ownSecret: true,
  foreignNameHint: 'is a Razorpay event name: use it with "format": "razorpay" (Sandpay calls a captured payment payment.success)',
  render(c) {
    const rzp = razorpayEventBody({ ...c.event, tenant_id: c.tenantId, name: c.name }, c.paymentSnapshot as PaymentObject | null);
    if (!rzp) return null;
    const body = JSON.stringify(rzp);
    return { body, headers: { 'x-razorpay-signature': createHmac('sha256', c.secret).update(body).digest('hex'), 'x-razorpay-event-id': c.event.id } };
  },
};

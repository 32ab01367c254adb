import { createHmac } from 'node:crypto';
import type { ApiObject } from '../../events/types.ts';
import { unixNow, type WebhookFace } from '../../webhooks/faces.ts';
import { STRIPE_EVENTS, stripeEventId, stripeEventNames } from './events.ts';
import { API_VERSION } from './http-face.ts';
import { unix } from './schemas.ts';
import { stripeObjectOf } from './webhook-objects.ts';
import { ownEventSamples } from './webhook-samples.ts';

export interface StripeEventInput {
  id: string;
  type: string;
  created_at: Date;
  payload: ApiObject;
  /** false: the face's own event (object-events.ts), whose payload is already the Stripe object. */
  native?: boolean | undefined;
  previous_attributes?: Record<string, unknown> | null | undefined;
  /** The API request whose transaction raised it (Request-Id); null when none did. */
  request_id?: string | null | undefined;
}

/** What an update event says changed: a refund that settled was pending before. */
function previousAttributes(name: string, object: ApiObject): Record<string, unknown> | undefined {
  if ((name === 'refund.updated' || name === 'charge.refund.updated') && object.object === 'refund') return { status: 'pending' };
  return undefined;
}

/**
 * A native event under one of its Stripe names (`names[index]`, the names the outbox kept) as
 * Stripe's Event object: its own id (stripeEventId), and its object as that name shows it (a
 * payment's Charge for a charge.* name, else its PaymentIntent; charge.refund.updated's is the
 * Refund, as Stripe's); null when it has no such name, or an object Stripe's events do not carry. `apiVersion` is
 * what the object says it is written in (the endpoint's pin): the shapes are the current ones
 * whatever it says (README: versions Sandpay does not model). The face's own events (customers,
 * payment methods, the catalog) carry their Stripe object as it is, and an update's changed fields.
 * `request.id` is the Request-Id of the API call that raised the event (null for a job's); Sandpay
 * keeps no idempotency key with an event, so that is null.
 */
export function stripeEventBody(
  e: StripeEventInput,
  opts: { names: readonly string[]; index: number; apiVersion: string; pendingWebhooks: number; paymentSnapshot: ApiObject | null },
) {
  const type = opts.names[opts.index];
  if (type === undefined) return null;
  const own = e.native === false;
  const object = own ? e.payload : stripeObjectOf(e.payload, opts.paymentSnapshot, type);
  if (!object) return null;
  const previous = own ? (e.previous_attributes ?? undefined) : previousAttributes(type, e.payload);
  return {
    id: stripeEventId(e.id, opts.index),
    object: 'event' as const,
    api_version: opts.apiVersion,
    created: unix(e.created_at),
    data: { object, ...(previous ? { previous_attributes: previous } : {}) },
    livemode: false,
    pending_webhooks: opts.pendingWebhooks,
    request: { id: e.request_id ?? null, idempotency_key: null },
    type,
  };
}

/** Stripe's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the whole whsec_ secret string. */
export function stripeSignature(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Stripe-format endpoints: Stripe's Event objects, pretty-printed as Stripe sends them, signed
 * with Stripe-Signature (what stripe.webhooks.constructEvent checks) with the time of each
 * attempt, so a retry or a replay hours later still verifies within the SDK's 5-minute tolerance.
 */
export const stripeWebhookFace: WebhookFace = {
  format: 'stripe',
  label: 'Stripe',
  events: STRIPE_EVENTS,
  describe: "stripe: Stripe's Event objects and event names, signed with Stripe-Signature",
  eventNames: stripeEventNames,
  // A refund's PaymentIntent is its payment's order.
  withPaymentSnapshot: true,
  // Stripe makes an endpoint's whsec_ secret; an integration verifies with the one it was given.
  ownSecret: false,
  foreignNameHint: 'is a Stripe event name: use it with "format": "stripe" (Sandpay calls a succeeded PaymentIntent payment.success)',
  render(c) {
    // A delivery made before names were kept carries the native type: it is the event's first name.
    const index = Math.max(0, c.names.indexOf(c.name));
    const event = stripeEventBody(c.event, { names: c.names, index, apiVersion: c.apiVersion ?? API_VERSION, pendingWebhooks: 1, paymentSnapshot: c.paymentSnapshot });
    if (!event) return null;
    const body = JSON.stringify(event, null, 2);
    return { body, headers: stripeWebhookFace.sign({ secret: c.secret, id: event.id, body, signedAt: c.signedAt ?? unixNow() }) };
  },
  sign: (s) => ({ 'stripe-signature': stripeSignature(s.secret, s.body, s.signedAt) }),
  // stripe.webhooks.constructEvent's default tolerance (the SDK's Webhook.DEFAULT_TOLERANCE).
  signatureToleranceSec: 300,
  ownEventSamples: ownEventSamples,
};

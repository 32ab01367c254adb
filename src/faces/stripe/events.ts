import type { FaceEvent } from '../../webhooks/faces.ts';

/**
 * Stripe's names for the ledger's events. Where Stripe sends several events for one change (the
 * Charge's, then the PaymentIntent's), one ledger event has several names, in that order; the
 * outbox keeps them with the event (face_names), and each is a Stripe event of its own
 * (stripeEventId).
 */

/** Why a payment failed when its PaymentIntent was cancelled (src/payments/actions.ts cancelPayment). */
const CANCELLED = 'payment_cancelled';

/** A Checkout Session's hosted page, which a session made through Stripe's API has for its url. */
export const checkoutPagePath = (csId: string) => `/stripe/checkout/${csId}`;

/** Whether a hosted checkout session object is one Stripe's API made (its url is the face's page). */
const isStripeMadeSession = (object: FaceEvent['object']) => typeof object?.url === 'string' && object.url.includes(checkoutPagePath('cs_test_'));

/** The Stripe names of a ledger event, in the order Stripe sends them; none when Stripe has no counterpart. */
export function stripeEventNames(e: FaceEvent): string[] {
  switch (e.type) {
    case 'order.created':
      return ['payment_intent.created'];
    case 'payment.created':
      // A payment settled in the commit that made it is told by that commit's later events.
      if (e.awaits === 'three_ds_challenge') return ['payment_intent.requires_action'];
      return e.awaits === 'processing' ? ['charge.pending', 'payment_intent.processing'] : [];
    case 'payment.authorized':
      return ['charge.succeeded', 'payment_intent.amount_capturable_updated'];
    case 'payment.success':
      // A payment authorized first (manual capture) was captured now.
      return e.object?.authorized_at ? ['charge.captured', 'payment_intent.succeeded'] : ['charge.succeeded', 'payment_intent.succeeded'];
    case 'payment.failed':
      if (e.object?.failure_code === CANCELLED) return ['payment_intent.canceled'];
      return ['charge.failed', 'payment_intent.payment_failed'];
    case 'payment.flagged':
      return ['charge.failed', 'payment_intent.payment_failed'];
    case 'payment.expired':
      return ['payment_intent.canceled'];
    case 'payment.refunded':
    case 'payment.partially_refunded':
      return ['charge.refunded'];
    case 'refund.created':
      return ['refund.created'];
    case 'refund.processed':
      return ['refund.updated', 'charge.refund.updated'];
    case 'refund.failed':
      return ['refund.failed'];
    case 'checkout.session.completed':
    case 'checkout.session.expired':
      // A session made through Stripe's API (its page is the face's) is told by the face's own
      // event, which carries the whole Checkout Session (checkout-sessions.ts); Sandpay's own as it is.
      return isStripeMadeSession(e.object) ? [] : [e.type];
    case 'test_clock.ready':
      return ['test_helpers.test_clock.ready'];
    default:
      return [];
  }
}

/**
 * The events of objects only the face has (no ledger event): raised by its own writes through the
 * outbox (object-events.ts), to Stripe-format endpoints only.
 */
export const OBJECT_EVENTS = [
  'customer.created', 'customer.updated', 'customer.deleted',
  'checkout.session.completed', 'checkout.session.expired',
  'payment_method.attached', 'payment_method.detached', 'payment_method.updated',
  'product.created', 'product.updated', 'product.deleted', 'price.created', 'price.updated',
] as const;
export type ObjectEventType = (typeof OBJECT_EVENTS)[number];

/** The Stripe events Sandpay sends. */
export const SENT_EVENTS = [
  'payment_intent.created', 'payment_intent.requires_action', 'payment_intent.processing', 'payment_intent.amount_capturable_updated',
  'payment_intent.succeeded', 'payment_intent.payment_failed', 'payment_intent.canceled',
  'charge.pending', 'charge.succeeded', 'charge.captured', 'charge.failed', 'charge.refunded', 'charge.refund.updated',
  'refund.created', 'refund.updated', 'refund.failed',
  'test_helpers.test_clock.ready',
  ...OBJECT_EVENTS,
] as const;

/**
 * Names an endpoint may list although Sandpay sends none of them, so an integration's usual
 * subscription is accepted as it is (README: Stripe face, webhooks): the steps Sandpay's ledger
 * has no counterpart for (partial funding, a Charge's expiry or update, a card updated by its
 * network, a deleted price: Stripe's API deletes none), and the checkout session's async outcomes
 * (a Checkout Session here takes cards, which settle while the payer waits: no delayed method
 * ever completes one later).
 */
export const UNSENT_EVENTS = [
  'payment_intent.partially_funded', 'charge.expired', 'charge.updated',
  'payment_method.automatically_updated', 'price.deleted',
  'checkout.session.async_payment_succeeded', 'checkout.session.async_payment_failed',
] as const;

export const STRIPE_EVENTS: readonly string[] = [...SENT_EVENTS, ...UNSENT_EVENTS];

const EVENT_ID = /^(evt_[0-9A-Za-z]{20})([2-9])?$/;

/**
 * The Stripe id of a ledger event under its name at `index`: the event's own id for its first
 * name, the id and the name's position (2…) for the others (`evt_X`, `evt_X2`), so each is
 * stable, distinct and leads back to the event without a table.
 */
export const stripeEventId = (eventId: string, index: number): string => (index === 0 ? eventId : `${eventId}${index + 1}`);

/** The ledger event and name index behind a Stripe event id; null when it is not one. */
export function parseStripeEventId(id: string): { eventId: string; index: number } | null {
  const m = EVENT_ID.exec(id);
  return m ? { eventId: m[1]!, index: m[2] ? Number(m[2]) - 1 : 0 } : null;
}

/**
 * Stripe's `type` filter as one regular expression, the same in JavaScript and in Postgres: each
 * pattern an exact name, or `*` standing for any run of characters (`payment_intent.*`).
 */
export function namePattern(patterns: readonly string[]): string {
  const one = (p: string) => p.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return `^(?:${patterns.map(one).join('|')})$`;
}

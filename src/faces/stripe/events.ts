import type { EventSelector } from '../../events/store.ts';
import { EVENT_TYPES, type ApiObject, type EventType } from '../../events/types.ts';

/**
 * Stripe's names for the ledger's events. One native event is one Stripe event, so where Stripe
 * sends two for one change (charge.succeeded beside payment_intent.succeeded) Sandpay sends the
 * one an integration acts on: the PaymentIntent's, or the Charge's for a refund.
 */
export const STRIPE_EVENT_OF: Partial<Record<EventType, string>> = {
  'payment.authorized': 'payment_intent.amount_capturable_updated',
  'payment.success': 'payment_intent.succeeded',
  'payment.failed': 'payment_intent.payment_failed',
  'payment.flagged': 'payment_intent.payment_failed',
  'payment.expired': 'payment_intent.canceled',
  'payment.refunded': 'charge.refunded',
  'payment.partially_refunded': 'charge.refunded',
  'refund.created': 'refund.created',
  'refund.processed': 'refund.updated',
  'refund.failed': 'refund.failed',
  'checkout.session.completed': 'checkout.session.completed',
  'checkout.session.expired': 'checkout.session.expired',
};

/** Why a payment failed when its PaymentIntent was cancelled (src/payments/actions.ts cancelPayment). */
const CANCELLED = 'payment_cancelled';

/** The Stripe events Sandpay sends, in the order of the ledger's. */
export const SENT_EVENTS = [...new Set(Object.values(STRIPE_EVENT_OF))];

/**
 * Names an endpoint may list although Sandpay sends none of them yet, so an integration's usual
 * subscription is accepted as it is (README: Stripe face, webhooks): the PaymentIntent's other
 * steps (created, requires_action, processing), the Charge's own events, which Stripe sends beside
 * the PaymentIntent's, and the objects whose changes raise no ledger event (customers, payment
 * methods, the catalog, the checkout session's async outcomes).
 */
export const UNSENT_EVENTS = [
  'payment_intent.created', 'payment_intent.requires_action', 'payment_intent.processing', 'payment_intent.partially_funded',
  'charge.succeeded', 'charge.failed', 'charge.captured', 'charge.pending', 'charge.expired', 'charge.updated', 'charge.refund.updated',
  'customer.created', 'customer.updated', 'customer.deleted',
  'payment_method.attached', 'payment_method.detached', 'payment_method.updated', 'payment_method.automatically_updated',
  'product.created', 'product.updated', 'product.deleted', 'price.created', 'price.updated', 'price.deleted',
  'checkout.session.async_payment_succeeded', 'checkout.session.async_payment_failed',
] as const;

export const STRIPE_EVENTS: readonly string[] = [...SENT_EVENTS, ...UNSENT_EVENTS];

/** The Stripe name of a native event; its object tells a cancelled PaymentIntent's failed payment from a decline. */
export function stripeEventOf(type: string, object?: ApiObject): string | null {
  if (type === 'payment.failed' && object?.failure_code === CANCELLED) return 'payment_intent.canceled';
  return STRIPE_EVENT_OF[type as EventType] ?? null;
}

/** Stripe's `type` filter: an exact name, or `*` standing for any run of characters (`payment_intent.*`). */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (name) => re.test(name);
}

/** Every native event as Stripe may name it: its type, and for payment.failed each of its two names by why it failed. */
const NAMED: ReadonlyArray<{ name: string; selector: EventSelector }> = EVENT_TYPES.flatMap((type): Array<{ name: string; selector: EventSelector }> => {
  const name = STRIPE_EVENT_OF[type];
  if (!name) return [];
  if (type !== 'payment.failed') return [{ name, selector: { type } }];
  return [
    { name, selector: { type, field: 'failure_code', value: CANCELLED, equal: false } },
    { name: 'payment_intent.canceled', selector: { type, field: 'failure_code', value: CANCELLED, equal: true } },
  ];
});

/** The native events behind the Stripe names that `wanted` accepts (all of them when it accepts any). */
export function selectorsFor(wanted: (name: string) => boolean): EventSelector[] {
  const picked = NAMED.filter((n) => wanted(n.name));
  // payment.failed picked under both names is all of payment.failed.
  const failed = picked.filter((n) => n.selector.type === 'payment.failed');
  const rest = picked.filter((n) => n.selector.type !== 'payment.failed').map((n) => n.selector);
  return failed.length === 2 ? [...rest, { type: 'payment.failed' }] : [...rest, ...failed.map((n) => n.selector)];
}

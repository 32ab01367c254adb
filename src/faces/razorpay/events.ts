import type { ApiObject, EventType } from '../../events/types.ts';
import type { OrderObject } from '../../orders/schemas.ts';
import type { PaymentObject } from '../../payments/schemas.ts';
import type { RefundObject } from '../../refunds/schemas.ts';
import { rzpAutoRefund, rzpOrder, rzpPayment, rzpRefund, unixSeconds } from './entities.ts';
import { isOwnEventObject, OWN_EVENTS } from './own-objects.ts';

/** The webhook events a Razorpay-format endpoint can subscribe to, by Razorpay's names. */
export const RAZORPAY_EVENTS = [
  'payment.authorized', 'payment.captured', 'payment.failed', 'order.paid', 'refund.created', 'refund.processed', 'refund.failed',
  ...OWN_EVENTS,
] as const;
export type RazorpayEvent = (typeof RAZORPAY_EVENTS)[number];

/**
 * Which native event is which Razorpay event. A payment becoming `success` is Razorpay's
 * payment.captured; `flagged` and `expired` read as `failed` there (src/faces/razorpay/status.ts), so
 * they are payment.failed (but an authorization that expired was auto-refunded: razorpayEventNames). Events with no Razorpay counterpart (payment.created, fraud.detected,
 * the refunded/partially_refunded payment events, checkout sessions) never go to a Razorpay
 * endpoint: Razorpay reports refunds through refund.* events.
 */
export const RAZORPAY_EVENT_OF: Partial<Record<EventType, RazorpayEvent>> = {
  'payment.authorized': 'payment.authorized',
  'payment.success': 'payment.captured',
  'payment.failed': 'payment.failed',
  'payment.flagged': 'payment.failed',
  'payment.expired': 'payment.failed',
  'order.paid': 'order.paid',
  'refund.created': 'refund.created',
  'refund.processed': 'refund.processed',
  'refund.failed': 'refund.failed',
};

export const razorpayEventOf = (type: string): RazorpayEvent | null => RAZORPAY_EVENT_OF[type as EventType] ?? null;

/**
 * A native event's Razorpay names, in the order Razorpay sends them. A payment captured at once
 * (an order's payment_capture 1: it never stopped at authorized, so it has no authorized_at) is
 * first payment.authorized, then payment.captured, as Razorpay sends both even then.
 */
export function razorpayEventNames(type: string, object?: { object?: unknown; authorized_at?: unknown }): RazorpayEvent[] {
  const name = razorpayEventOf(type);
  if (!name) return [];
  if (type === 'payment.success' && object?.object === 'payment' && object.authorized_at === null) return ['payment.authorized', name];
  // An authorization that expired uncaptured is refunded by Razorpay, which tells of it with the
  // refund's events, not payment.failed (docs: auto-refunds trigger the refund webhooks).
  if (type === 'payment.expired' && object?.object === 'payment' && object.authorized_at != null) return ['refund.created', 'refund.processed'];
  return [name];
}

/** A tenant as Razorpay names a merchant account. */
export const accountIdOf = (tenantId: string) => `acc_${tenantId.replace(/^ten_/, '')}`;

export interface NativeEvent {
  type: string;
  created_at: Date;
  /** The object the event carries, as the native API shows it. */
  payload: ApiObject;
  tenant_id: string;
  /** false: one of the face's own events (own-objects.ts), whose payload already holds Razorpay's entities. */
  native?: boolean;
}

/**
 * Razorpay's webhook body for a native event: `entity: "event"`, the event's Razorpay name,
 * `contains`, and each entity under `payload.<name>.entity`. Refund and order events also carry
 * the payment, as Razorpay's do: `payment` is the payment as of the event (its latest snapshot in
 * the event log), or null where there is none. Null when the event has no Razorpay counterpart.
 */
export function razorpayEventBody(e: NativeEvent, payment: PaymentObject | null, name?: string) {
  if (e.native === false && isOwnEventObject(e.payload)) {
    const payload = Object.fromEntries(Object.entries(e.payload.entities).map(([k, entity]) => [k, { entity }]));
    return { entity: 'event' as const, account_id: accountIdOf(e.tenant_id), event: name ?? e.type, contains: Object.keys(payload), payload, created_at: unixSeconds(e.created_at.toISOString()) };
  }
  const event = name !== undefined && RAZORPAY_EVENTS.includes(name as RazorpayEvent) ? (name as RazorpayEvent) : razorpayEventOf(e.type);
  if (!event) return null;
  const payload: Record<string, { entity: unknown }> = {};
  switch (e.payload.object) {
    case 'payment':
      // An auto-refunded authorization (razorpayEventNames): its refund, then the payment, as refund events carry them.
      if (event === 'refund.created' || event === 'refund.processed') {
        const p = e.payload as unknown as PaymentObject;
        payload.refund = { entity: rzpAutoRefund(p, event === 'refund.created' ? 'pending' : 'processed', unixSeconds(e.created_at.toISOString())) };
        payload.payment = { entity: rzpPayment(p) };
        break;
      }
      // payment.authorized of a payment captured at once shows it as it was then.
      payload.payment = { entity: rzpPayment(e.payload as unknown as PaymentObject, event === 'payment.authorized' && e.type === 'payment.success') };
      break;
    case 'refund':
      payload.refund = { entity: rzpRefund(e.payload as unknown as RefundObject) };
      if (payment) payload.payment = { entity: rzpPayment(payment) };
      break;
    case 'order':
      if (payment) payload.payment = { entity: rzpPayment(payment) };
      payload.order = { entity: rzpOrder(e.payload as unknown as OrderObject) };
      break;
    default:
      return null;
  }
  return { entity: 'event' as const, account_id: accountIdOf(e.tenant_id), event, contains: Object.keys(payload), payload, created_at: unixSeconds(e.created_at.toISOString()) };
}

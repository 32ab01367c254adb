/** The event catalogue and the shapes of events, apart from the code that writes them. */

export const EVENT_TYPES = [
  'payment.created',
  'payment.authorized',
  'payment.success',
  'payment.failed',
  'payment.flagged',
  'payment.expired',
  'payment.refunded',
  'payment.partially_refunded',
  'refund.created',
  'refund.processed',
  'refund.failed',
  'fraud.detected',
  'order.paid',
  'checkout.session.completed',
  'checkout.session.expired',
  'audit.checkpoint',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An API object as the API shows it: every payload has `object` and `id`. */
export interface ApiObject {
  object: string;
  id: string;
  [key: string]: unknown;
}

export interface NewEvent {
  type: EventType;
  object: ApiObject;
  /** The payment this event is about (payment, refund or fraud events), for its webhook_url. */
  paymentId: string | null;
}

export interface DbEvent {
  id: string;
  tenant_id: string;
  type: EventType;
  object_type: string;
  object_id: string;
  payment_id: string | null;
  payload: ApiObject;
  /** Position in the event stream (migration 0008): the writing transaction's id and a row counter. */
  tx: string;
  pos: string;
  created_at: Date;
}

export interface EmittedEvent {
  id: string;
  type: EventType;
  paymentId: string | null;
}

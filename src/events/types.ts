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
  'order.created',
  'order.paid',
  'checkout.session.completed',
  'checkout.session.expired',
  'audit.checkpoint',
  'test_clock.ready',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An API object as the API shows it: every payload has `object` and `id`. */
export interface ApiObject {
  object: string;
  id: string;
  [key: string]: unknown;
}

/**
 * What a new payment waits for, which its object (born pending) does not say: the payer's 3-D
 * Secure challenge, processing (a job or a simulate settles it), or nothing (it settles in the
 * commit that creates it, whose events follow).
 */
export type Awaits = 'three_ds_challenge' | 'processing' | 'nothing';

export interface NewEvent {
  type: EventType;
  object: ApiObject;
  /** The payment this event is about (payment, refund or fraud events), for its webhook_url. */
  paymentId: string | null;
  /**
   * payment.created's: what the payment waits for, for the faces' names (Stripe's
   * payment_intent.requires_action or .processing). In no body: the names it gives are kept with
   * the event (face_names).
   */
  awaits?: Awaits;
}

/**
 * An event about an object only a gateway face has (Stripe's customer.created): `object` is
 * already that face's object, sent as it is under its one name `type`, to that face's endpoints
 * only. It has no native name, so Sandpay's own event API, stream and endpoints never see it, and
 * the native event catalogue (EVENT_TYPES) stays as it is.
 */
export interface FaceObjectEvent {
  face: string;
  type: string;
  object: ApiObject;
  paymentId: null;
  /** An update's: the fields that changed, as they were (Stripe's data.previous_attributes). */
  previousAttributes?: Record<string, unknown> | null;
}

/** The key of face_names under which a face's own event keeps its native names: none. */
export const NATIVE_NAMES_KEY = 'sandpay';

/** Whether an event has a native name (a ledger event), not a face's own (face_names `"sandpay": []`). */
export const isNativeEvent = (e: { face_names: FaceNames | null }): boolean => e.face_names?.[NATIVE_NAMES_KEY] === undefined;

/** An event's names in each gateway face that has it, as the outbox kept them (`{"stripe": ["charge.succeeded", …]}`). */
export type FaceNames = Record<string, string[]>;

export interface DbEvent {
  id: string;
  tenant_id: string;
  /** A native type; a face's own event's (isNativeEvent false) is that face's name, which only the face reads. */
  type: EventType;
  object_type: string;
  object_id: string;
  payment_id: string | null;
  payload: ApiObject;
  /** Its names in the gateway faces; null for an event written before they were kept (migration 0026). */
  face_names: FaceNames | null;
  /** A face's own update event's changed fields, as they were (migration 0027). */
  previous_attributes: Record<string, unknown> | null;
  /** The API request whose transaction raised it; null for a job's or one older than migration 0027. */
  request_id: string | null;
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

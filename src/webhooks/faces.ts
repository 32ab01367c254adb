import { EVENT_TYPES, eventBody, type ApiObject, type EventType } from '../events/events.ts';
import { isNativeEvent, type Awaits, type FaceNames } from '../events/types.ts';
import { signatureHeaders } from './signature.ts';

/** Everything one attempt's body and signature are made from. */
export interface DeliveryContent {
  secret: string;
  tenantId: string;
  /**
   * `native` false: a face's own event (its payload already that face's object); its update's
   * changed fields and the API request that raised it, where known.
   */
  event: { id: string; type: EventType; created_at: Date; payload: ApiObject; native?: boolean; previous_attributes?: Record<string, unknown> | null; request_id?: string | null };
  /**
   * The name this attempt carries (a delivery's event_type) and the event's names in the face, in
   * order (a face may send one event under several names, each its own event there). The native
   * face's one name is the event's type.
   */
  name: string;
  names: readonly string[];
  /** For a face that wants it (withPaymentSnapshot): the payment as of the event, for refund and order events. */
  paymentSnapshot: ApiObject | null;
  /** The version of the face's API the endpoint pinned (Stripe's api_version); null or absent: the face's current one. */
  apiVersion?: string | null;
  /** Unix seconds a timestamped signature carries; absent: now. The handler check signs stale ones on purpose. */
  signedAt?: number;
}

/** What a signature is made of: the raw body, and what a scheme binds besides it (the event's id, the time). */
export interface SignInput {
  secret: string;
  id: string;
  body: string;
  signedAt: number;
}

/** A sample of a face's own event (an object only it has), as the outbox would hold it. */
export interface OwnEventSample {
  type: string;
  object: ApiObject;
  previous_attributes?: Record<string, unknown> | null;
}

export interface Rendered {
  body: string;
  headers: Record<string, string>;
}

/**
 * What a gateway face gives webhooks: the event names its endpoints subscribe to, its body and
 * its signature. An endpoint's `format` names its face; every face goes through the same outbox,
 * retries, dead-letter queue and replay, and only the bytes and the signature differ. The faces
 * are wired at start-up (Services.webhookFaces); the native one is built in.
 */
export interface WebhookFace {
  format: string;
  /** Who the face speaks for, in messages ("Razorpay"). */
  label: string;
  /** The event names its endpoints may list ("*" aside). */
  events: readonly string[];
  /** What an endpoint's `format` means, for the API reference. */
  describe: string;
  /**
   * Its names for a native event, in the order it sends them; none when it has no counterpart (its
   * endpoints never get that event). The event's object, when given, may choose the names (a
   * payment that failed because it was cancelled is Stripe's payment_intent.canceled), as may what
   * a new payment awaits; without them, the usual ones. Called when the outbox writes an event,
   * which keeps them (face_names).
   */
  eventNames(e: FaceEvent): readonly string[];
  /** Whether its refund and order bodies carry the payment as of the event. */
  withPaymentSnapshot: boolean;
  /** Whether a merchant may bring the secret its integration already verifies with. */
  ownSecret: boolean;
  /** Said of one of its event names listed on an endpoint of another format. */
  foreignNameHint: string;
  /** The raw body and signature headers of one attempt; null when the event has no body here. */
  render(c: DeliveryContent): Rendered | null;
  /** The signature headers of a body (with what the scheme binds: Standard Webhooks' id and time); render signs with it. */
  sign(s: SignInput): Record<string, string>;
  /** How old a signature's timestamp its gateway's own verifiers accept, in seconds; null when the signature carries no time (Razorpay's). */
  signatureToleranceSec: number | null;
  /** One sample per event of objects only the face has (Stripe's customer.created), for the handler check; absent when it has none. */
  ownEventSamples?(now: Date): OwnEventSample[];
}

/** Unix seconds now: the time a signature carries unless told otherwise. */
export const unixNow = (): number => Math.floor(Date.now() / 1000);

/** What a face names an event from: its type, and where known its object and what a new payment awaits. */
export interface FaceEvent {
  type: string;
  object?: ApiObject | undefined;
  awaits?: Awaits | undefined;
}

/** Sandpay's own: the native event body with Standard Webhooks and X-Sandpay-Signature headers. */
export const NATIVE_FACE: WebhookFace = {
  format: 'sandpay',
  label: 'Sandpay',
  events: EVENT_TYPES,
  describe: 'sandpay (default)',
  eventNames: (e) => [e.type],
  withPaymentSnapshot: false,
  ownSecret: false,
  foreignNameHint: 'is a Sandpay event name',
  render(c) {
    const body = JSON.stringify(eventBody(c.event));
    // A fresh timestamp and signature on every attempt; webhook-id stays the event id.
    return { body, headers: { ...NATIVE_FACE.sign({ secret: c.secret, id: c.event.id, body, signedAt: c.signedAt ?? unixNow() }), 'x-sandpay-event': c.event.type } };
  },
  sign: (s) => signatureHeaders(s.secret, s.id, s.body, s.signedAt),
  // What verifyWebhook's standard scheme accepts by default (the simple scheme carries no time).
  signatureToleranceSec: 300,
};

/** The face an endpoint's format names (null: a payment's webhook_url, which gets the native one); null for a format no face here serves. */
export function findFace(faces: readonly WebhookFace[], format: string | null): WebhookFace | null {
  if (format === null || format === NATIVE_FACE.format) return NATIVE_FACE;
  return faces.find((f) => f.format === format) ?? null;
}

/** The face an endpoint's format names; a format no face here serves is an error, not a native body signed with its secret. */
export function faceOf(faces: readonly WebhookFace[], format: string | null): WebhookFace {
  const face = findFace(faces, format);
  if (!face) throw new Error(`no gateway face here serves the webhook format ${JSON.stringify(format)}`);
  return face;
}

/** An event's names in the faces that have it, as the JSON the events keep and the fan-out reads (`{"razorpay": ["payment.captured"]}`). */
export function faceNames(faces: readonly WebhookFace[], e: FaceEvent): string {
  const names: FaceNames = {};
  for (const f of faces) {
    const named = f.eventNames(e);
    if (named.length > 0) names[f.format] = [...named];
  }
  return JSON.stringify(names);
}

/**
 * An event's names in a face: the native face's is its type (a face's own event has none); a
 * gateway face's as the outbox kept them, or, for an event written before they were kept
 * (migration 0026), as the face names it from its object now.
 */
export function namesIn(face: WebhookFace, e: { type: string; payload: ApiObject; face_names: FaceNames | null }): readonly string[] {
  if (face === NATIVE_FACE) return isNativeEvent(e) ? [e.type] : [];
  return e.face_names ? (e.face_names[face.format] ?? []) : face.eventNames({ type: e.type, object: e.payload });
}

import { EVENT_TYPES, type ApiObject, type EventType } from '../events/events.ts';
import type { Awaits } from '../events/types.ts';
import { newId, randomBase62 } from '../ids.ts';
import type { DeliveryContent, WebhookFace } from './faces.ts';

/**
 * Sample events for deliveries nothing in the ledger raised: the dashboard's "Send test event" and
 * the handler check. Objects are shaped as the native API shows them (an order of 5000 INR, its
 * card payment, a refund, a checkout session), so every face renders them as it renders real
 * ones; ids are fresh on every call (a check never collides with a handler's earlier run).
 */

type Json = Record<string, unknown>;

const iso = (d: Date) => d.toISOString();

/** A successful 5000 INR card payment made now (the dashboard's test event when a tenant has none yet). */
export function samplePayment(now: Date, over: Json = {}): ApiObject {
  return {
    id: `pay_test_${randomBase62(11)}`, object: 'payment', amount: 5000, currency: 'INR', status: 'success', method: 'card',
    card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: now.getUTCFullYear() + 3, fingerprint: null, funding: 'credit' },
    capture_method: 'automatic', amount_captured: 5000, amount_refunded: 0, order_id: null, failure_code: null, failure_message: null,
    fraud: null, description: 'Sandpay test event', customer_email: null, customer_contact: null, billing: { country: null }, metadata: {}, webhook_url: null,
    livemode: false, expires_at: null, authorized_at: null, captured_at: iso(now), created_at: iso(now), updated_at: iso(now),
    ...over,
  };
}

/** One native event as a face would be handed it: its type, object, what a new payment awaits, and the payment as of the event (refunds', orders'). */
export interface SampleEvent {
  type: EventType;
  object: ApiObject;
  awaits?: Awaits;
  payment: ApiObject | null;
}

/**
 * One object's life in events, oldest first: an order, its payment pending, authorized, captured,
 * refunded, and the other ends a payment can come to (declined, cancelled, flagged, expired,
 * blocked by a fraud rule), a checkout session completed and another expired, an audit
 * checkpoint. Each face names them its way (eventNames); the variants are there so that every
 * name a face sends is made by one of them (Stripe's charge.captured is a capture after an
 * authorization, payment_intent.canceled a cancelled payment).
 */
export function sampleEvents(now: Date): SampleEvent[] {
  const at = (secondsAgo: number) => iso(new Date(now.getTime() - secondsAgo * 1000));
  const created = at(120);
  const order = { id: newId('order'), object: 'order', amount: 5000, amount_paid: 0, amount_due: 5000, currency: 'INR', status: 'created', attempts: 0, receipt: 'receipt_check_1', metadata: { cart: 'check-1' }, created_at: created, updated_at: created };
  const paid = { ...order, amount_paid: 5000, amount_due: 0, status: 'paid', attempts: 1, updated_at: at(60) };
  const base = samplePayment(new Date(created), {
    id: newId('payment'), order_id: order.id, status: 'pending', amount_captured: 0, captured_at: null, customer_email: 'jenny.rosen@example.com',
    description: 'Sandpay check-handler', metadata: { cart: 'check-1' },
  });
  const payment = (over: Json) => ({ ...base, ...over }) as ApiObject;
  const pending = payment({});
  const authorized = payment({ status: 'authorized', capture_method: 'manual', authorized_at: at(100), updated_at: at(100) });
  const captured = payment({ ...authorized, status: 'success', amount_captured: 5000, captured_at: at(80), updated_at: at(80) });
  const succeeded = payment({ status: 'success', amount_captured: 5000, captured_at: at(90), updated_at: at(90) });
  const declined = payment({ id: newId('payment'), status: 'failed', failure_code: 'card_declined', failure_message: 'Your card was declined.', updated_at: at(110) });
  const cancelled = payment({ id: newId('payment'), status: 'failed', failure_code: 'payment_cancelled', failure_message: 'The payment was cancelled.', updated_at: at(110) });
  const fraud = { action: 'flag', rule_id: 'fr_check', reason: 'amount over 4000 from a new card' };
  const flagged = payment({ id: newId('payment'), status: 'flagged', fraud, updated_at: at(110) });
  const expired = payment({ id: newId('payment'), status: 'expired', expires_at: at(30), updated_at: at(30) });
  const partly = payment({ ...succeeded, status: 'partially_refunded', amount_refunded: 2000, updated_at: at(40) });
  const refunded = payment({ ...succeeded, status: 'refunded', amount_refunded: 5000, updated_at: at(20) });
  const refund = (over: Json) => ({ id: newId('refund'), object: 'refund', payment_id: succeeded.id, amount: 5000, currency: 'INR', status: 'pending', reason: 'requested_by_customer', failure_code: null, metadata: {}, processed_at: null, created_at: at(50), updated_at: at(50), ...over }) as ApiObject;
  const pendingRefund = refund({});
  const session = (status: string, over: Json) => ({
    id: newId('checkoutSession'), object: 'checkout.session', status, url: 'http://127.0.0.1:3000/checkout/cs_check', order_id: order.id, payment_id: null, amount: 5000,
    currency: 'INR', methods: ['card', 'upi'], success_url: 'https://shop.example/paid', cancel_url: 'https://shop.example/cart', prefill: { email: 'jenny.rosen@example.com' },
    name: 'Sandpay shop', description: 'Sandpay check-handler', metadata: {}, expires_at: at(-1800), completed_at: null, created_at: created, ...over,
  }) as ApiObject;
  const checkpoint = {
    object: 'audit_checkpoint', id: `ack_${randomBase62(14)}`, chain: 'tenant', seq: 42, head_hash: randomBase62(43), row_count: 42, created_at: iso(now), key_id: 'key_check',
    algorithm: 'Ed25519', payload: '{"type":"sandpay.audit.checkpoint","v":1}', signature: randomBase62(86), token: randomBase62(40),
  };
  const e = (type: EventType, object: Json, payment: ApiObject | null = null, awaits?: Awaits): SampleEvent => ({ type, object: object as ApiObject, payment, ...(awaits ? { awaits } : {}) });
  const list = [
    e('order.created', order),
    e('payment.created', pending, null, 'processing'),
    e('payment.created', pending, null, 'three_ds_challenge'),
    e('payment.authorized', authorized),
    e('payment.success', captured),
    e('payment.success', succeeded),
    e('order.paid', paid, succeeded),
    e('payment.failed', declined),
    e('payment.failed', cancelled),
    e('payment.flagged', flagged),
    e('fraud.detected', flagged),
    e('payment.expired', expired),
    e('refund.created', pendingRefund, succeeded),
    e('refund.processed', { ...pendingRefund, status: 'processed', processed_at: at(45), updated_at: at(45) }, succeeded),
    e('payment.partially_refunded', partly),
    e('refund.failed', refund({ amount: 1000, status: 'failed', failure_code: 'refund_declined', updated_at: at(35) }), succeeded),
    e('payment.refunded', refunded),
    e('checkout.session.completed', session('complete', { payment_id: succeeded.id, completed_at: at(85) })),
    e('checkout.session.expired', session('expired', { expires_at: at(10) })),
    e('audit.checkpoint', checkpoint),
    e('test_clock.ready', { object: 'test_clock', id: 'ten_check', time: at(-86_400), offset_seconds: 86_400, status: 'ready', advancing_to: null }),
  ];
  // Every native type has a sample (a new one added to the catalogue must get one here).
  for (const type of EVENT_TYPES) if (!list.some((s) => s.type === type)) throw new Error(`no sample event for ${type}`);
  return list;
}

/** One sample delivery in a face: the name it goes under and what its body is made of (less the secret and the time). */
export interface SampleDelivery {
  name: string;
  content: Omit<DeliveryContent, 'secret'>;
}

/**
 * A face's sample deliveries, one per event name it sends, oldest event first: the native
 * samples under each of their names in the face (the first sample to make a name makes it), then
 * the face's own events. `tenantId` is whose account a body names (Razorpay's account_id).
 */
export function sampleDeliveries(face: WebhookFace, tenantId: string, now = new Date()): SampleDelivery[] {
  const out: SampleDelivery[] = [];
  const seen = new Set<string>();
  for (const s of sampleEvents(now)) {
    const names = face.eventNames({ type: s.type, object: s.object, awaits: s.awaits });
    const event = { id: newId('event'), type: s.type, created_at: new Date(String(s.object.updated_at ?? s.object.created_at ?? s.object.time)), payload: s.object };
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push({ name, content: { tenantId, event, name, names, paymentSnapshot: face.withPaymentSnapshot ? s.payment : null } });
    }
  }
  for (const s of face.ownEventSamples?.(now) ?? []) {
    if (seen.has(s.type)) continue;
    seen.add(s.type);
    const event = { id: newId('event'), type: s.type as EventType, created_at: now, payload: s.object, native: false, previous_attributes: s.previous_attributes ?? null };
    out.push({ name: s.type, content: { tenantId, event, name: s.type, names: [s.type], paymentSnapshot: null } });
  }
  return out;
}

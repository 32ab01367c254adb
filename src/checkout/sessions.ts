import type { Queryable, Tx } from '../db/pool.ts';
import { auditIn } from '../audit/append.ts';
import { stateError } from '../core/errors.ts';
import { emitEvents } from '../outbox/outbox.ts';
import { newId } from '../ids.ts';
import { QUEUES } from '../jobs/boss.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { createOrder, lockOrder } from '../orders/orders.ts';
import type { Ctx, Services } from '../services.ts';
import { ownedRow } from '../db/owned.ts';
import { DEFAULT_EXPIRES_IN, type CreateSessionInput, type SessionObject, type SessionStatus } from './schemas.ts';

export const ALL_METHODS = ['card', 'upi', 'netbanking', 'wallet'] as const;

export interface DbSession {
  id: string;
  tenant_id: string;
  order_id: string;
  amount: string;
  currency: string;
  status: SessionStatus;
  payment_id: string | null;
  url: string;
  success_url: string | null;
  cancel_url: string | null;
  methods: Array<(typeof ALL_METHODS)[number]>;
  prefill: { email?: string; contact?: string; name?: string };
  name: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  origin: string | null;
  opened_with: 'secret' | 'publishable';
  /**
   * The gateway face's key (api_keys id) that opened it, checkout.js in that face's mode: its
   * secret signs the result (src/checkout/faces.ts). The column keeps the name of the first face
   * that had one (migration 0013).
   */
  razorpay_key_id: string | null;
  expires_at: Date;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function sessionView(s: DbSession): SessionObject {
  return {
    id: s.id,
    object: 'checkout.session',
    status: s.status,
    url: s.url,
    order_id: s.order_id,
    payment_id: s.payment_id,
    amount: Number(s.amount),
    currency: s.currency,
    methods: s.methods,
    success_url: s.success_url,
    cancel_url: s.cancel_url,
    prefill: s.prefill,
    name: s.name,
    description: s.description,
    metadata: s.metadata,
    expires_at: s.expires_at.toISOString(),
    completed_at: s.completed_at ? s.completed_at.toISOString() : null,
    created_at: s.created_at.toISOString(),
  };
}

export interface OpenedBy {
  keyType: 'secret' | 'publishable';
  /** The Origin of the browser page that opened it (publishable key), already checked. */
  origin: string | null;
  /** Where Sandpay's hosted pages are served, for the session's `url`. */
  baseUrl: string;
  /** The gateway face's key (api_keys id) of a checkout.js opened with one (a rzp_test_ key_id, say). */
  faceKeyId?: string | null;
}

/**
 * Opens a session for an existing order of the tenant, or for a new order of `amount` +
 * `currency`. Its expiry is a job scheduled for `expires_at`, in this transaction.
 */
export async function createSession(t: Tx, svc: Services, ctx: Ctx, input: Partial<CreateSessionInput>, by: OpenedBy): Promise<DbSession> {
  const order = input.order_id
    ? await lockOrder(t, ctx.tenant.id, input.order_id)
    : await createOrder(t, svc, ctx, { amount: input.amount!, currency: input.currency!, metadata: undefined });
  if (order.status === 'paid') throw stateError('order_already_paid', `Order ${order.id} is already paid`, 'order_id');

  const id = newId('checkoutSession');
  const s = await t.one<DbSession>(
    `INSERT INTO checkout_sessions (id, tenant_id, order_id, amount, currency, url, success_url, cancel_url, methods, prefill,
                                    name, description, metadata, origin, opened_with, expires_at, razorpay_key_id)
     VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::text, $8::text, $9::text[], $10::jsonb,
             $11::text, $12::text, $13::jsonb, $14::text, $15::text, now() + $16::int * interval '1 second', $17::text)
     RETURNING *`,
    [
      id, ctx.tenant.id, order.id, order.amount, order.currency, `${by.baseUrl}/checkout/${id}`, input.success_url ?? null,
      input.cancel_url ?? null, input.methods ?? [...ALL_METHODS], JSON.stringify(input.prefill ?? {}), input.name ?? null,
      input.description ?? null, JSON.stringify(input.metadata ?? {}), by.origin, by.keyType, input.expires_in ?? DEFAULT_EXPIRES_IN,
      by.faceKeyId ?? null,
    ],
  );
  auditIn(t, svc, ctx, {
    objectType: 'checkout_session',
    objectId: s.id,
    action: 'checkout_session.created',
    newStatus: 'open',
    metadata: { order_id: order.id, opened_with: by.keyType, origin: by.origin },
  });
  await scheduleExpiry(t, svc, ctx, s.id, s.expires_at);
  return s;
}

async function scheduleExpiry(t: Tx, svc: Services, ctx: Ctx, id: string, at: Date): Promise<void> {
  await enqueue(t, svc.boss, QUEUES.checkoutExpire, [{ data: { sessionId: id }, startAfter: at }]);
}

export async function getSession(db: Queryable, tenantId: string, id: string): Promise<DbSession> {
  return ownedRow<DbSession>(db, 'checkout_sessions', tenantId, id, { what: 'checkout session' });
}

/** The session under its row lock, for a payment from the page. */
export async function lockSession(t: Tx, tenantId: string, id: string): Promise<DbSession> {
  return ownedRow<DbSession>(t, 'checkout_sessions', tenantId, id, { what: 'checkout session', lock: true });
}

/**
 * The paymentMoved hook: a payment that pays its order completes the order's open sessions. One
 * the merchant captures later (manual capture) completes its checkout once authorized, as
 * Razorpay's checkout hands the result over at authorization; the order is paid at capture (by
 * then no session is open any more).
 */
export async function completeSessionsOnPayment(t: Tx, svc: Services, ctx: Ctx, payment: { id: string; order_id: string | null }, to: string): Promise<void> {
  if (payment.order_id && (to === 'success' || to === 'authorized')) await completeSessionsForOrder(t, svc, ctx, payment.order_id, payment.id);
}

/**
 * A paid order completes its open sessions, in the transaction that made its payment succeed
 * (through the paymentMoved hook, whoever moved the payment: the hosted page, a job, simulate).
 */
export async function completeSessionsForOrder(t: Tx, svc: Services, ctx: Ctx, orderId: string, paymentId: string): Promise<void> {
  const done = await t.rows<DbSession>(
    `UPDATE checkout_sessions SET status = 'complete', payment_id = $2::text, completed_at = now(), updated_at = now()
      WHERE order_id = $1::text AND tenant_id = $3::text AND status = 'open' RETURNING *`,
    [orderId, paymentId, ctx.tenant.id],
  );
  if (done.length === 0) return;
  emitEvents(t, svc, ctx, done.map((s) => ({ type: 'checkout.session.completed' as const, object: sessionView(s), paymentId })));
  for (const s of done) {
    auditIn(t, svc, ctx, { objectType: 'checkout_session', objectId: s.id, action: 'checkout_session.completed', oldStatus: 'open', newStatus: 'complete', metadata: { payment_id: paymentId } });
  }
}

/**
 * The expiry job. A session whose latest payment is still in progress (a UPI collect waiting
 * for the payer, a 3-D Secure challenge) stays open until that payment settles or expires
 * itself, so a payer who approves in time is never told the checkout expired.
 */
export async function expireSession(t: Tx, svc: Services, ctx: Ctx, id: string): Promise<DbSession | null> {
  // joins payments (owned by src/payments): the session under its lock and its latest payment's
  // state in one statement.
  const s = await t.maybeOne<DbSession & { payment_status: string | null; payment_expires_at: Date | null }>(
    `SELECT s.*, p.status AS payment_status, p.expires_at AS payment_expires_at
       FROM checkout_sessions s LEFT JOIN payments p ON p.id = s.payment_id
      WHERE s.id = $1::text AND s.tenant_id = $2::text FOR UPDATE OF s`,
    [id, ctx.tenant.id],
  );
  if (!s || s.status !== 'open') return null;
  if (s.expires_at > new Date()) {
    await scheduleExpiry(t, svc, ctx, s.id, s.expires_at);
    return null;
  }
  if (s.payment_status === 'pending' || s.payment_status === 'authorized') {
    await scheduleExpiry(t, svc, ctx, s.id, new Date(Math.max(Date.now(), s.payment_expires_at?.getTime() ?? 0) + 1000));
    return null;
  }
  const expired = await t.one<DbSession>(
    `UPDATE checkout_sessions SET status = 'expired', updated_at = now() WHERE id = $1::text AND tenant_id = $2::text RETURNING *`,
    [s.id, ctx.tenant.id],
  );
  emitEvents(t, svc, ctx, [{ type: 'checkout.session.expired', object: sessionView(expired), paymentId: null }]);
  auditIn(t, svc, ctx, { objectType: 'checkout_session', objectId: s.id, action: 'checkout_session.expired', oldStatus: 'open', newStatus: 'expired' });
  return expired;
}

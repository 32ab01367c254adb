import type { Queryable, Tx } from '../db/pool.ts';
import { ownedRow } from '../db/owned.ts';
import { listPage, type CursorArgs, type Page } from '../db/paginate.ts';
import type { METHODS } from '../payments/schemas.ts';
import type { SessionStatus } from './schemas.ts';

/** The SQL of the checkout_sessions and checkout_payments tables, which this folder owns. */

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
  methods: Array<(typeof METHODS)[number]>;
  prefill: { email?: string; contact?: string; name?: string };
  name: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  /** What each payment of the session carries as its metadata (checkout.js's `notes`). */
  payment_notes: Record<string, unknown>;
  origin: string | null;
  opened_with: 'secret' | 'publishable';
  /**
   * The gateway face's key (api_keys id) that opened it, checkout.js in that face's mode: its
   * secret signs the result (src/checkout/faces.ts). The column keeps the name of the first face
   * that had one (migration 0013).
   */
  razorpay_key_id: string | null;
  /** A gateway face's customer to save the paying card for (migration 0034), or null. */
  save_card_customer_id: string | null;
  expires_at: Date;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewSession {
  id: string;
  tenantId: string;
  orderId: string;
  amount: string;
  currency: string;
  url: string;
  successUrl: string | null;
  cancelUrl: string | null;
  methods: DbSession['methods'];
  prefill: DbSession['prefill'];
  name: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  paymentNotes: Record<string, unknown>;
  origin: string | null;
  openedWith: DbSession['opened_with'];
  expiresIn: number;
  faceKeyId: string | null;
  saveCardCustomerId: string | null;
}

/** Opens a session, expiring `expiresIn` seconds from now. */
export function insertSession(t: Tx, s: NewSession): Promise<DbSession> {
  return t.one<DbSession>(
    `INSERT INTO checkout_sessions (id, tenant_id, order_id, amount, currency, url, success_url, cancel_url, methods, prefill,
                                    name, description, metadata, origin, opened_with, expires_at, razorpay_key_id, payment_notes, save_card_customer_id)
     VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::text, $8::text, $9::text[], $10::jsonb,
             $11::text, $12::text, $13::jsonb, $14::text, $15::text, sandpay_now() + $16::int * interval '1 second', $17::text, $18::jsonb, $19::text)
     RETURNING *`,
    [
      s.id, s.tenantId, s.orderId, s.amount, s.currency, s.url, s.successUrl,
      s.cancelUrl, s.methods, JSON.stringify(s.prefill), s.name,
      s.description, JSON.stringify(s.metadata), s.origin, s.openedWith, s.expiresIn,
      s.faceKeyId, JSON.stringify(s.paymentNotes), s.saveCardCustomerId,
    ],
  );
}

/** The ids of the order's open sessions. */
export function openSessionIds(q: Queryable, tenantId: string, orderId: string): Promise<Array<{ id: string }>> {
  return q.rows(`SELECT id FROM checkout_sessions WHERE order_id = $1::text AND status = 'open' AND tenant_id = $2::text ORDER BY created_at, id`, [orderId, tenantId]);
}

/** The customer an open session of the order saves its card for, if one does (a payment on the order is moving). */
export async function saveCardCustomerOf(db: Queryable, tenantId: string, orderId: string): Promise<string | null> {
  const row = await db.maybeOne<{ save_card_customer_id: string }>(
    `SELECT save_card_customer_id FROM checkout_sessions
      WHERE order_id = $1::text AND status = 'open' AND tenant_id = $2::text AND save_card_customer_id IS NOT NULL
      ORDER BY created_at DESC LIMIT 1`,
    [orderId, tenantId],
  );
  return row?.save_card_customer_id ?? null;
}

/** One of the tenant's sessions; another tenant's is not found (404). */
export function getSession(db: Queryable, tenantId: string, id: string): Promise<DbSession> {
  return ownedRow<DbSession>(db, 'checkout_sessions', tenantId, id, { what: 'checkout session' });
}

/** The session under its row lock, for a payment from the page. */
export function lockSession(t: Tx, tenantId: string, id: string): Promise<DbSession> {
  return ownedRow<DbSession>(t, 'checkout_sessions', tenantId, id, { what: 'checkout session', lock: true });
}

/** A session by its id alone (the hosted page's only credential), whoever's it is. */
export function sessionById(db: Queryable, id: string): Promise<DbSession | undefined> {
  return db.maybeOne<DbSession>('SELECT * FROM checkout_sessions WHERE id = $1::text', [id]);
}

/** The session as it is now (read again after a payment moved it). */
export function reloadSession(t: Tx, id: string): Promise<DbSession> {
  return t.one<DbSession>('SELECT * FROM checkout_sessions WHERE id = $1::text', [id]);
}

/** Whose session this is (a job's session; undefined when it is gone). */
export function sessionTenant(q: Queryable, id: string): Promise<{ tenant_id: string } | undefined> {
  return q.maybeOne<{ tenant_id: string }>('SELECT tenant_id FROM checkout_sessions WHERE id = $1::text', [id]);
}

/** Records the session's latest payment attempt. */
export function setSessionPayment(t: Tx, id: string, paymentId: string): Promise<DbSession> {
  // Which session made the payment is kept for good (checkout_payments); payment_id moves on with each attempt.
  return t.one<DbSession>(
    `WITH made AS (INSERT INTO checkout_payments (payment_id, session_id, tenant_id)
                   SELECT $2::text, id, tenant_id FROM checkout_sessions WHERE id = $1::text)
     UPDATE checkout_sessions SET payment_id = $2::text, updated_at = sandpay_now() WHERE id = $1::text RETURNING *`,
    [id, paymentId],
  );
}

/** Completes the order's open sessions with its paying payment: the sessions completed. */
export function completeOpenSessions(t: Tx, tenantId: string, orderId: string, paymentId: string): Promise<DbSession[]> {
  return t.rows<DbSession>(
    `UPDATE checkout_sessions SET status = 'complete', payment_id = $2::text, completed_at = sandpay_now(), updated_at = sandpay_now()
      WHERE order_id = $1::text AND tenant_id = $3::text AND status = 'open' RETURNING *`,
    [orderId, paymentId, tenantId],
  );
}

/** The session under its lock, with its latest payment's state (undefined: not the tenant's). */
export function lockSessionWithPayment(t: Tx, tenantId: string, id: string): Promise<(DbSession & { payment_status: string | null; payment_expires_at: Date | null }) | undefined> {
  // joins payments (owned by src/payments): the session under its lock and its latest payment's
  // state in one statement.
  return t.maybeOne<DbSession & { payment_status: string | null; payment_expires_at: Date | null }>(
    `SELECT s.*, p.status AS payment_status, p.expires_at AS payment_expires_at
       FROM checkout_sessions s LEFT JOIN payments p ON p.id = s.payment_id
      WHERE s.id = $1::text AND s.tenant_id = $2::text FOR UPDATE OF s`,
    [id, tenantId],
  );
}

/**
 * When the tenant's next open session falls due to expire, if at or before `upTo` (its clock's
 * time): its expires_at, or, while its latest payment is still in progress, that payment's expiry
 * (the session waits for it, see expireSession). With the due sessions' ids, earliest first.
 */
export function sessionsDueBy(db: Queryable, tenantId: string, upTo: Date, limit: number): Promise<Array<{ id: string; due: Date }>> {
  // joins payments (owned by src/payments): a session's expiry waits for its payment in progress, in one statement.
  return db.rows<{ id: string; due: Date }>(
    `SELECT id, due FROM (
       SELECT s.id, greatest(s.expires_at, CASE WHEN p.status IN ('pending', 'authorized') THEN p.expires_at END) AS due
         FROM checkout_sessions s LEFT JOIN payments p ON p.id = s.payment_id
        WHERE s.tenant_id = $1::text AND s.status = 'open' AND s.expires_at <= $2::timestamptz
     ) d WHERE due <= $2::timestamptz ORDER BY due, id LIMIT $3::int`,
    [tenantId, upTo, limit],
  );
}

export function markSessionExpired(t: Tx, tenantId: string, id: string): Promise<DbSession> {
  return t.one<DbSession>(
    `UPDATE checkout_sessions SET status = 'expired', updated_at = sandpay_now() WHERE id = $1::text AND tenant_id = $2::text RETURNING *`,
    [id, tenantId],
  );
}

/** A page of the tenant's sessions, newest first. */
export function listSessions<T>(
  db: Queryable, tenantId: string, filter: { status?: SessionStatus | undefined; orderId?: string | undefined }, page: CursorArgs, view: (s: DbSession) => T,
): Promise<Page<T>> {
  return listPage(db, { table: 'checkout_sessions', tenantId, filters: { status: filter.status, order_id: filter.orderId } }, page, view);
}

/** The tenant's sessions among `ids` (a gateway face's list page of them). */
export function sessionsByIds(db: Queryable, tenantId: string, ids: readonly string[]): Promise<DbSession[]> {
  return db.rows<DbSession>('SELECT * FROM checkout_sessions WHERE tenant_id = $1::text AND id = ANY($2::text[])', [tenantId, ids]);
}

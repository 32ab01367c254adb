import { notFound } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { listPage, type SkipArgs } from '../../db/paginate.ts';

/**
 * The SQL of the Razorpay face's own table (migration 0033): customers, tokens, items, payment
 * links, invoices and QR codes, each a row of its kind with Razorpay's fields in `data`; and
 * which days' settlements it has announced (migration 0045).
 */

export type ObjectKind = 'customer' | 'token' | 'item' | 'payment_link' | 'invoice' | 'qr_code' | 'qr_payment' | 'virtual_account' | 'va_payment' | 'dispute' | 'fund_account';

export interface DbObject<D = Record<string, unknown>> {
  id: string;
  tenant_id: string;
  kind: ObjectKind;
  status: string | null;
  order_id: string | null;
  customer_id: string | null;
  data: D;
  deleted: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface NewObject {
  id: string;
  tenantId: string;
  kind: ObjectKind;
  status?: string | null;
  orderId?: string | null;
  customerId?: string | null;
  data: Record<string, unknown>;
}

export function insertObject<D>(t: Tx, o: NewObject): Promise<DbObject<D>> {
  return t.one<DbObject<D>>(
    `INSERT INTO razorpay_objects (id, tenant_id, kind, status, order_id, customer_id, data)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::jsonb) RETURNING *`,
    [o.id, o.tenantId, o.kind, o.status ?? null, o.orderId ?? null, o.customerId ?? null, JSON.stringify(o.data)],
  );
}

/** One of the tenant's live objects of a kind (locked when `lock`); another tenant's, a deleted one or another kind's is not found. */
export async function getObject<D>(db: Queryable, tenantId: string, kind: ObjectKind, id: string, opts: { lock?: boolean; what?: string; param?: string } = {}): Promise<DbObject<D>> {
  const row = await db.maybeOne<DbObject<D>>(
    `SELECT * FROM razorpay_objects WHERE id = $1::text AND tenant_id = $2::text AND kind = $3::text AND NOT deleted${opts.lock ? ' FOR UPDATE' : ''}`,
    [id, tenantId, kind],
  );
  if (!row) throw notFound(opts.what ?? kind, opts.param);
  return row;
}

/** Sets an object's status, data and/or order (undefined: left as is). */
export function updateObject<D>(t: Tx, id: string, fields: { status?: string; data?: Record<string, unknown>; orderId?: string }): Promise<DbObject<D>> {
  return t.one<DbObject<D>>(
    `UPDATE razorpay_objects SET status = COALESCE($2::text, status), data = COALESCE($3::jsonb, data), order_id = COALESCE($4::text, order_id), updated_at = sandpay_now()
      WHERE id = $1::text RETURNING *`,
    [id, fields.status ?? null, fields.data === undefined ? null : JSON.stringify(fields.data), fields.orderId ?? null],
  );
}

export function deleteObject(t: Tx, id: string): Promise<unknown> {
  return t.one(`UPDATE razorpay_objects SET deleted = true, updated_at = sandpay_now() WHERE id = $1::text RETURNING id`, [id]);
}

/** A page of the tenant's live objects of a kind, newest first (Razorpay's count/skip), with optional column filters. */
export function listObjects<D, T>(
  db: Queryable, tenantId: string, kind: ObjectKind, page: SkipArgs, view: (o: DbObject<D>) => T,
  filters: { status?: string | undefined; customer_id?: string | undefined; qr_code_id?: string | undefined; virtual_account_id?: string | undefined; reference_id?: string | undefined; active?: boolean | undefined } = {},
): Promise<T[]> {
  const { qr_code_id: qr, virtual_account_id: va, reference_id: ref, active, ...columns } = filters;
  const fields = { kind, ...columns, "data->>'qr_code_id' =": qr, "data->>'virtual_account_id' =": va, "data->>'reference_id' =": ref, "data->>'active' =": active === undefined ? undefined : String(active) };
  return listPage<DbObject<D>, T, SkipArgs>(db, { table: 'razorpay_objects', tenantId, filters: fields, fixed: ['NOT deleted'] }, page, view);
}

/** The tenant's customer with this email and contact (both may be null), for fail_existing. */
export function findCustomer<D>(db: Queryable, tenantId: string, email: string | null, contact: string | null): Promise<DbObject<D> | undefined> {
  return db.maybeOne<DbObject<D>>(
    `SELECT * FROM razorpay_objects WHERE tenant_id = $1::text AND kind = 'customer' AND NOT deleted
        AND data->>'email' IS NOT DISTINCT FROM $2::text AND data->>'contact' IS NOT DISTINCT FROM $3::text
      ORDER BY created_at LIMIT 1`,
    [tenantId, email, contact],
  );
}

/** A customer's live tokens, newest first (Razorpay lists them all, unpaged). */
export function tokensOf<D>(db: Queryable, tenantId: string, customerId: string): Promise<Array<DbObject<D>>> {
  return db.rows<DbObject<D>>(
    `SELECT * FROM razorpay_objects WHERE tenant_id = $1::text AND kind = 'token' AND customer_id = $2::text AND NOT deleted ORDER BY created_at DESC, id DESC`,
    [tenantId, customerId],
  );
}

/** The payment link, invoice, or QR code's or virtual account's payment an order was made for, locked: a payment that moves on it moves them. */
export function lockObjectOfOrder<D>(t: Tx, tenantId: string, orderId: string): Promise<DbObject<D> | undefined> {
  return t.maybeOne<DbObject<D>>(
    `SELECT * FROM razorpay_objects WHERE tenant_id = $1::text AND order_id = $2::text AND kind IN ('payment_link', 'invoice', 'qr_payment', 'va_payment') FOR UPDATE`,
    [tenantId, orderId],
  );
}

/** The payment link or invoice an order was made for (not locked), or undefined. */
export function objectOfOrder<D>(db: Queryable, tenantId: string, orderId: string, kind: ObjectKind): Promise<DbObject<D> | undefined> {
  return db.maybeOne<DbObject<D>>(`SELECT * FROM razorpay_objects WHERE tenant_id = $1::text AND order_id = $2::text AND kind = $3::text AND NOT deleted`, [tenantId, orderId, kind]);
}

/** A payment's dispute the bank has not decided yet (open or under review), if any. */
export function undecidedDisputeOf(t: Tx, tenantId: string, paymentId: string): Promise<DbObject | undefined> {
  return t.maybeOne<DbObject>(
    `SELECT * FROM razorpay_objects WHERE tenant_id = $1::text AND kind = 'dispute' AND data->>'payment_id' = $2::text AND status IN ('open', 'under_review')`,
    [tenantId, paymentId],
  );
}

/** An item's id by id (for invoice line items), or undefined. */
export function objectsByIds<D>(db: Queryable, tenantId: string, kind: ObjectKind, ids: readonly string[]): Promise<Array<DbObject<D>>> {
  return db.rows<DbObject<D>>(`SELECT * FROM razorpay_objects WHERE tenant_id = $1::text AND kind = $2::text AND id = ANY($3::text[]) AND NOT deleted`, [tenantId, kind, ids]);
}

/** One of the tenant's live objects of any kind, locked (the expiry job, the hosted page), or undefined. */
export function getAnyObject(t: Tx, tenantId: string, id: string): Promise<DbObject | undefined> {
  return t.maybeOne<DbObject>(`SELECT * FROM razorpay_objects WHERE id = $1::text AND tenant_id = $2::text AND NOT deleted FOR UPDATE`, [id, tenantId]);
}

/** The tenant's live token holding the card `cardId` (Razorpay's card_ id), or undefined. */
export function tokenOfCard<D>(db: Queryable, tenantId: string, cardId: string): Promise<DbObject<D> | undefined> {
  return db.maybeOne<DbObject<D>>(
    `SELECT * FROM razorpay_objects WHERE tenant_id = $1::text AND kind = 'token' AND NOT deleted AND data->'card'->>'id' = $2::text`,
    [tenantId, cardId],
  );
}

/** Who owns an object, by id alone (its hosted page and its expiry job: the id is the credential). */
export function objectOwner(db: Queryable, id: string): Promise<{ tenant_id: string } | undefined> {
  return db.maybeOne(`SELECT tenant_id FROM razorpay_objects WHERE id = $1::text AND NOT deleted`, [id]);
}

/** The order ids of a QR code's payments, newest first (count/skip). */
export function qrPaymentOrders(db: Queryable, tenantId: string, qrCodeId: string, page: SkipArgs): Promise<string[]> {
  return listObjects<{ qr_code_id: string }, string>(db, tenantId, 'qr_payment', page, (o) => o.order_id!, { qr_code_id: qrCodeId });
}

/** The order ids of a virtual account's payments, newest first (count/skip). */
export function vaPaymentOrders(db: Queryable, tenantId: string, accountId: string, page: SkipArgs): Promise<string[]> {
  return listObjects<{ virtual_account_id: string }, string>(db, tenantId, 'va_payment', page, (o) => o.order_id!, { virtual_account_id: accountId });
}

/** The India days (YYYY-MM-DD) whose settlement.processed the tenant has been sent (migration 0045). */
export async function announcedSettlementDays(db: Queryable, tenantId: string): Promise<Set<string>> {
  const rows = await db.rows<{ day: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM razorpay_settlement_runs WHERE tenant_id = $1::text`, [tenantId]);
  return new Set(rows.map((r) => r.day));
}

/** Claims the day's settlement.processed for the tenant: true once, false for whoever comes second (it was sent). */
export async function claimSettlementDay(t: Tx, tenantId: string, day: string): Promise<boolean> {
  const row = await t.maybeOne(
    `INSERT INTO razorpay_settlement_runs (tenant_id, day) VALUES ($1::text, $2::date) ON CONFLICT DO NOTHING RETURNING day`,
    [tenantId, day],
  );
  return row !== undefined;
}

/**
 * The tenant's objects whose end falls due at or before `by` (on its clock), earliest first: open
 * payment links and invoices at expire_by, active QR codes and virtual accounts at close_by (the
 * states in which payable.ts's expiry acts, so each one run leaves the list). A tenant's rows by
 * kind come from razorpay_objects_list_idx.
 */
export function objectsDueBy(db: Queryable, tenantId: string, by: Date, limit: number): Promise<Array<{ id: string; due: Date }>> {
  return db.rows(
    `SELECT id, to_timestamp(due) AS due FROM (
       SELECT id, (CASE WHEN kind IN ('payment_link', 'invoice') THEN data->>'expire_by' ELSE data->>'close_by' END)::bigint AS due
         FROM razorpay_objects
        WHERE tenant_id = $1::text AND NOT deleted
          AND ((kind = 'payment_link' AND status IN ('created', 'partially_paid')) OR (kind = 'invoice' AND status IN ('issued', 'partially_paid'))
               OR (kind IN ('qr_code', 'virtual_account') AND status = 'active'))
     ) o
     WHERE due <= floor(extract(epoch FROM $2::timestamptz)) ORDER BY due, id LIMIT $3::int`,
    [tenantId, by, limit],
  );
}

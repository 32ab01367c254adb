import type { Queryable, Tx } from '../db/pool.ts';
import { emitEvents } from '../events/events.ts';
import { newId } from '../ids.ts';
import { auditIn } from '../audit/append.ts';
import { notFound } from '../http/errors.ts';
import type { Ctx } from '../services.ts';

export interface DbOrder {
  id: string;
  tenant_id: string;
  amount: string;
  currency: string;
  amount_paid: string;
  status: 'created' | 'attempted' | 'paid';
  attempts: number;
  receipt: string | null;
  notes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export function orderView(o: DbOrder) {
  const amount = Number(o.amount);
  const paid = Number(o.amount_paid);
  return {
    id: o.id,
    object: 'order',
    amount,
    amount_paid: paid,
    amount_due: Math.max(0, amount - paid),
    currency: o.currency,
    status: o.status,
    attempts: o.attempts,
    receipt: o.receipt,
    notes: o.notes,
    created_at: o.created_at.toISOString(),
    updated_at: o.updated_at.toISOString(),
  };
}

export interface OrderInput {
  amount: number;
  currency: string;
  receipt?: string | undefined;
  notes?: Record<string, unknown> | undefined;
}

export async function createOrder(t: Tx, ctx: Ctx, input: OrderInput): Promise<DbOrder> {
  const order = await t.one<DbOrder>(
    `INSERT INTO orders (id, tenant_id, amount, currency, receipt, notes)
     VALUES ($1::text, $2::text, $3::bigint, $4::text, $5::text, $6::jsonb) RETURNING *`,
    [newId('order'), ctx.tenant.id, input.amount, input.currency, input.receipt ?? null, JSON.stringify(input.notes ?? {})],
  );
  auditIn(t, ctx, { objectType: 'order', objectId: order.id, action: 'order.created', newStatus: 'created' });
  return order;
}

export async function getOrder(db: Queryable, tenantId: string, id: string): Promise<DbOrder> {
  const order = await db.maybeOne<DbOrder>('SELECT * FROM orders WHERE id = $1::text AND tenant_id = $2::text', [id, tenantId]);
  if (!order) throw notFound('order');
  return order;
}

/** Locks the order for a payment attempt; another tenant's order is simply not found. */
export async function lockOrder(t: Tx, tenantId: string, id: string): Promise<DbOrder> {
  const order = await t.maybeOne<DbOrder>('SELECT * FROM orders WHERE id = $1::text AND tenant_id = $2::text FOR UPDATE', [id, tenantId]);
  if (!order) throw notFound('order', 'order_id');
  return order;
}

export async function recordAttempt(t: Tx, ctx: Ctx, order: DbOrder): Promise<void> {
  const updated = await t.one<DbOrder>(
    `UPDATE orders SET attempts = attempts + 1, status = CASE WHEN status = 'created' THEN 'attempted' ELSE status END,
            updated_at = now() WHERE id = $1::text RETURNING *`,
    [order.id],
  );
  if (updated.status !== order.status) {
    auditIn(t, ctx, { objectType: 'order', objectId: order.id, action: 'order.attempted', oldStatus: order.status, newStatus: updated.status });
  }
}

/**
 * Marks the order paid when one of its payments succeeds. A second successful payment on an
 * already-paid order does not pay it twice (the gateway would refund it; here it is reported).
 */
export async function markOrderPaid(t: Tx, ctx: Ctx, orderId: string, amount: number, paymentId: string): Promise<void> {
  const updated = await t.maybeOne<DbOrder>(
    `UPDATE orders SET status = 'paid', amount_paid = amount_paid + $2::bigint, updated_at = now()
      WHERE id = $1::text AND status <> 'paid' RETURNING *`,
    [orderId, amount],
  );
  if (!updated) return;
  auditIn(t, ctx, { objectType: 'order', objectId: orderId, action: 'order.paid', oldStatus: 'attempted', newStatus: 'paid', metadata: { payment_id: paymentId } });
  emitEvents(t, ctx, [{ type: 'order.paid', object: orderView(updated), paymentId }]);
}

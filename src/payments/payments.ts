import type { Queryable, Tx } from '../db/pool.ts';
import { auditIn, type Auditing } from '../audit/append.ts';
import type { Ctx } from '../tenants/types.ts';
import { cardFunding } from './instruments.ts';
import type { PaymentObject } from './schemas.ts';
import { paymentTotals, replacePaymentMetadata, type DbPayment } from './store.ts';

export type { DbPayment };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function methodDetails(p: DbPayment) {
  switch (p.method) {
    case 'card':
      return {
        card: {
          brand: p.card_brand, last4: p.card_last4, exp_month: p.card_exp_month, exp_year: p.card_exp_year, fingerprint: p.card_fingerprint,
          funding: cardFunding(p.card_bin),
        },
      };
    case 'upi':
      return { vpa: p.vpa };
    case 'netbanking':
      return { bank: p.bank };
    case 'wallet':
      return { wallet: p.wallet };
  }
}

/** The payment as the API and webhooks show it. Never the card number or cvc: they are not stored. */
export function paymentView(p: DbPayment): PaymentObject {
  return {
    id: p.id,
    object: 'payment',
    amount: Number(p.amount),
    currency: p.currency,
    status: p.status,
    method: p.method,
    ...methodDetails(p),
    capture_method: p.capture_method,
    amount_captured: Number(p.amount_captured),
    amount_refunded: Number(p.amount_refunded),
    order_id: p.order_id,
    failure_code: p.failure_code,
    failure_message: p.failure_message,
    fraud: p.fraud_action ? { action: p.fraud_action, rule_id: p.fraud_rule_id, reason: p.fraud_reason } : null,
    description: p.description,
    customer_email: p.customer_email,
    customer_contact: p.customer_contact,
    billing: { country: p.billing_country },
    metadata: p.metadata,
    webhook_url: p.webhook_url,
    livemode: false,
    expires_at: iso(p.expires_at),
    authorized_at: iso(p.authorized_at),
    captured_at: iso(p.captured_at),
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
  };
}

export async function paymentStats(db: Queryable, tenantId: string) {
  const rows = await paymentTotals(db, tenantId);
  const byStatus: Record<string, { count: number; amount: Record<string, number> }> = {};
  const refunded: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    const s = (byStatus[r.status] ??= { count: 0, amount: {} });
    s.count += Number(r.count);
    s.amount[r.currency] = Number(r.amount);
    if (Number(r.refunded) > 0) refunded[r.currency] = (refunded[r.currency] ?? 0) + Number(r.refunded);
    total += Number(r.count);
  }
  return { object: 'payment_stats', total_count: total, by_status: byStatus, amount_refunded: refunded };
}

/** Replaces the payment's metadata; the only field a client may change after creation. */
export async function updatePaymentMetadata(t: Tx, svc: Auditing, ctx: Ctx, id: string, metadata: Record<string, unknown>): Promise<DbPayment> {
  const { before, after } = await replacePaymentMetadata(t, ctx.tenant.id, id, metadata);
  auditIn(t, svc, ctx, { objectType: 'payment', objectId: id, action: 'payment.updated', metadata: { old: { metadata: before.metadata }, new: { metadata } } });
  return after;
}

import type { Queryable } from '../../db/pool.ts';
import type { DbPayment } from '../../payments/payments.ts';
import { chargeObject } from './entities.ts';
import { intentsByIds } from './store.ts';

/**
 * Charges as Stripe shows them: every payment of the ledger (whichever face or page made it),
 * with the payment method of its PaymentIntent when Stripe's API made the order.
 */
export async function chargeObjects(db: Queryable, tenantId: string, payments: DbPayment[]): Promise<Array<Record<string, unknown>>> {
  const orderIds = [...new Set(payments.flatMap((p) => (p.order_id ? [p.order_id] : [])))];
  const intents = orderIds.length ? await intentsByIds(db, tenantId, orderIds) : [];
  const methodOf = new Map(intents.map((i) => [i.id, i.payment_method] as const));
  return payments.map((p) => chargeObject(p, (p.order_id && methodOf.get(p.order_id)) ?? null));
}

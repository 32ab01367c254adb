import { badRequest, DomainError } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import type { DbPayment } from '../../payments/payments.ts';
import { lockPayment, paymentsByIds, paymentsOfOrders } from '../../payments/store.ts';
import { createRefund, settleRefund, updateRefundMetadata, type DbRefund } from '../../refunds/refunds.ts';
import { listRefunds } from '../../refunds/store.ts';
import type { Ctx, Services } from '../../services.ts';
import { refundObject } from './entities.ts';
import { unexpectedState } from './errors.ts';
import { ledgerId, stripeId } from './ids.ts';
import { chargeRow, orderRow, refundRow } from './ledger.ts';
import { mergeMetadata, type MetadataPatch } from './schemas.ts';
import { withCursors } from './cursors.ts';
import { CAPTURED_STATUSES } from '../../payments/state-machine.ts';

/**
 * Refunds through Stripe's API are the ledger's refunds (src/refunds): opened on a charge, or on
 * the captured charge of a PaymentIntent, under the payment's row lock, so concurrent refunds
 * never add up to more than was captured. Stripe's test mode answers a card refund `succeeded`
 * at once, where Sandpay's own refunds wait REFUND_PROCESS_DELAY_MS for a job: so this face
 * settles the refund it opens in the same transaction, through the refunds capability's own
 * settleRefund (events, audit row, the payment's move to (partially_)refunded). The job queued by
 * createRefund then finds it settled and leaves it. Refunds opened elsewhere keep their pace.
 */

type Json = Record<string, unknown>;


export interface RefundRequest {
  payment_intent?: string | undefined;
  charge?: string | undefined;
  amount?: number | undefined;
  reason?: string | undefined;
  metadata?: MetadataPatch | undefined;
}

/** Refunds as Stripe shows them, each with its charge and PaymentIntent: one query for their payments. */
export async function refundObjects(db: Queryable, tenantId: string, refunds: DbRefund[]): Promise<Json[]> {
  const ids = [...new Set(refunds.map((r) => r.payment_id))];
  const payments = ids.length ? await paymentsByIds(db, tenantId, ids) : [];
  const byId = new Map(payments.map((p) => [p.id, p] as const));
  return refunds.map((r) => refundObject(r, byId.get(r.payment_id)!));
}

export const refundAnswer = async (db: Queryable, tenantId: string, r: DbRefund): Promise<Json> => (await refundObjects(db, tenantId, [r]))[0]!;

/** The order behind `pi_…` (any order of the tenant: a refund names its order as its payment_intent, whichever face made it). */
async function orderPayments(db: Queryable, tenantId: string, piId: string): Promise<DbPayment[]> {
  const order = await orderRow(db, tenantId, piId, 'payment_intent');
  return paymentsOfOrders(db, tenantId, [order.id]);
}

/** The payment a refund request names: the charge, or the PaymentIntent's captured charge (an order is captured once). */
async function paymentToRefund(t: Tx, tenantId: string, input: RefundRequest): Promise<string> {
  if (input.charge !== undefined) {
    const p = await chargeRow(t, tenantId, input.charge, 'charge');
    if (input.payment_intent !== undefined && (!p.order_id || stripeId('pi', p.order_id) !== input.payment_intent)) {
      throw badRequest('parameter_invalid', `Charge ${input.charge} does not belong to PaymentIntent ${input.payment_intent}.`, 'payment_intent');
    }
    return p.id;
  }
  if (input.payment_intent === undefined) {
    throw badRequest('parameter_missing', 'One of the following parameters must be provided: payment_intent or charge.');
  }
  const payments = await orderPayments(t, tenantId, input.payment_intent);
  const captured = payments.find((p) => CAPTURED_STATUSES.has(p.status));
  if (!captured) {
    throw badRequest('charge_not_refundable', `This PaymentIntent (${input.payment_intent}) does not have a successful charge to refund.`, 'payment_intent');
  }
  return captured.id;
}

/** Opens a refund and settles it at once, as Stripe's test mode does for cards; Stripe's errors for the refusals. */
export async function createStripeRefund(t: Tx, svc: Services, ctx: Ctx, input: RefundRequest): Promise<DbRefund> {
  const paymentId = await paymentToRefund(t, ctx.tenant.id, input);
  // Locked here first (createRefund takes the same lock again) so the state checked is the state refunded.
  const p = await lockPayment(t, ctx.tenant.id, paymentId);
  const ch = stripeId('ch', p.id);
  if (p.status === 'refunded') throw alreadyRefunded(ch);
  if (!CAPTURED_STATUSES.has(p.status)) {
    throw badRequest('charge_not_refundable', `Charge ${ch} has a status of ${p.status === 'authorized' ? 'uncaptured' : p.status === 'pending' ? 'pending' : 'failed'} and cannot be refunded; only a captured charge can be.`, 'charge');
  }
  let refund: DbRefund;
  try {
    refund = await createRefund(t, svc, ctx, p.id, { amount: input.amount, reason: input.reason, metadata: mergeMetadata({}, input.metadata) });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    if (err.code === 'payment_fully_refunded') throw alreadyRefunded(ch);
    if (err.code === 'amount_too_large') {
      const left = Number(p.amount_captured) - Number(p.amount_refunded);
      throw badRequest('amount_too_large', `Refund amount (${input.amount}) is greater than the unrefunded amount on charge ${ch} (${left}).`, 'amount');
    }
    throw err;
  }
  return (await settleRefund(t, svc, ctx, refund.id, 'processed', { strict: true }))!;
}

const alreadyRefunded = (ch: string) => badRequest('charge_already_refunded', `Charge ${ch} has already been refunded.`, 'charge');

export async function updateStripeRefund(t: Tx, svc: Services, ctx: Ctx, reId: string, metadata: MetadataPatch | undefined): Promise<DbRefund> {
  const r = await refundRow(t, ctx.tenant.id, reId);
  if (metadata === undefined) return r;
  return updateRefundMetadata(t, svc, ctx, r.id, mergeMetadata(r.metadata, metadata));
}

/**
 * Stripe cancels only refunds that wait for the customer (`requires_action`); a card refund never
 * does, so every cancel is Stripe's 400 for the refund's status (after a 404 for an unknown one).
 */
export async function cancelStripeRefund(db: Queryable, tenantId: string, reId: string): Promise<never> {
  const r = await refundRow(db, tenantId, reId);
  const status = r.status === 'processed' ? 'succeeded' : r.status;
  throw unexpectedState('refund_not_cancelable', `Refund ${reId} cannot be canceled because it has a status of ${status}. Only refunds with a status of requires_action can be canceled.`);
}

export interface RefundListQuery {
  limit: number;
  charge?: string | undefined;
  payment_intent?: string | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
}

/** A page of refunds, newest first; by charge, or by PaymentIntent (its captured charge's: no other charge of it has refunds). */
export async function listStripeRefunds(db: Queryable, tenantId: string, q: RefundListQuery): Promise<{ data: Json[]; hasMore: boolean }> {
  let paymentId: string | undefined;
  if (q.charge !== undefined) paymentId = (await chargeRow(db, tenantId, q.charge, 'charge')).id;
  if (q.payment_intent !== undefined) {
    const captured = (await orderPayments(db, tenantId, q.payment_intent)).find((p) => CAPTURED_STATUSES.has(p.status));
    if (!captured || (paymentId !== undefined && paymentId !== captured.id)) return { data: [], hasMore: false };
    paymentId = captured.id;
  }
  const page = await withCursors('refund', q, (id) => ledgerId('re', id), (cursors) =>
    listRefunds(db, tenantId, { paymentId, createdGte: q.createdFrom, createdLte: q.createdTo }, { limit: q.limit, ...cursors }, (r) => r));
  return { data: await refundObjects(db, tenantId, page.data), hasMore: page.has_more };
}

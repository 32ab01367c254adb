import { z } from 'zod';
import { badRequest, stateError } from '../../core/errors.ts';
import type { Tx } from '../../db/pool.ts';
import { newId } from '../../ids.ts';
import type { PaymentServices } from '../../payments/services.ts';
import { CAPTURED_STATUSES } from '../../payments/state-machine.ts';
import { getPayment, lockPayment } from '../../payments/store.ts';
import { byId, route } from '../../routing/route.ts';
import type { Ctx } from '../../services.ts';
import { collection, rzpPaymentRow } from './api.ts';
import { clockUnix } from './expiry.ts';
import { razorpayHttpFace } from './http-face.ts';
import { ownListQuery, paiseInput, raiseOwn, unix } from './own-objects.ts';
import { collectionOf } from './schemas.ts';
import { getObject, insertObject, listObjects, undecidedDisputeOf, updateObject, type DbObject } from './store.ts';

/**
 * Razorpay's disputes, raised on a captured payment by a Sandpay-only call (a bank's chargeback
 * cannot happen in a sandbox by itself): POST /v1/payments/:id/disputes. The merchant answers
 * through the SDK (disputes.accept: lost; disputes.contest with action "submit": under_review),
 * and the bank's decision is simulated by POST /v1/disputes/:id/resolve {"outcome": "won" | "lost"}.
 * Each move sends payment.dispute.*. A lost dispute's amount shows as amount_deducted; it is not
 * taken from settlements (not simulated).
 */

const EVIDENCE_LISTS = [
  'shipping_proof', 'billing_proof', 'cancellation_proof', 'customer_communication', 'proof_of_service', 'explanation_letter', 'refund_confirmation',
  'access_activity_log', 'refund_cancellation_policy', 'term_and_conditions',
] as const;

interface Evidence { amount: number; summary: string | null; submitted_at: number | null; others: unknown[]; [list: string]: unknown }
export interface DisputeData {
  payment_id: string;
  amount: number;
  currency: string;
  amount_deducted: number;
  reason_code: string;
  reason_description: string;
  respond_by: number;
  phase: 'chargeback';
  comments: string | null;
  evidence: Evidence;
}
export type DbDispute = DbObject<DisputeData>;
type Status = 'open' | 'under_review' | 'won' | 'lost' | 'closed';

export const rzpDisputeObject = z
  .looseObject({
    id: z.string(), entity: z.literal('dispute'), payment_id: z.string(), amount: z.number().int(), currency: z.string(), amount_deducted: z.number().int(),
    status: z.enum(['open', 'under_review', 'won', 'lost', 'closed']), phase: z.string(), respond_by: z.number().int(), created_at: z.number().int(),
  })
  .meta({ id: 'RazorpayDispute' });

export const rzpDispute = (d: DbDispute) => ({
  id: d.id, entity: 'dispute' as const, payment_id: d.data.payment_id, amount: d.data.amount, currency: d.data.currency, amount_deducted: d.data.amount_deducted,
  reason_code: d.data.reason_code, reason_description: d.data.reason_description, respond_by: d.data.respond_by, status: d.status as Status, phase: d.data.phase,
  comments: d.data.comments, created_at: unix(d.created_at), evidence: d.data.evidence,
});

const documentIds = z.array(z.string().max(40)).max(10);
const contestBody = z.strictObject({
  amount: z.number().int().min(0).optional(),
  summary: z.string().max(1000).optional(),
  ...Object.fromEntries(EVIDENCE_LISTS.map((k) => [k, documentIds.optional()])) as Record<(typeof EVIDENCE_LISTS)[number], z.ZodOptional<typeof documentIds>>,
  others: z.array(z.strictObject({ type: z.string().max(40), document_ids: documentIds })).max(10).optional(),
  action: z.enum(['draft', 'submit'], { error: 'action must be draft or submit' }).optional(),
});

const raiseDispute = async (t: Tx, svc: PaymentServices, ctx: Ctx, type: 'payment.dispute.created' | 'payment.dispute.under_review' | 'payment.dispute.won' | 'payment.dispute.lost' | 'payment.dispute.closed', d: DbDispute) =>
  raiseOwn(t, svc, ctx, type, d.id, { payment: rzpPaymentRow(await getPayment(t, ctx.tenant.id, d.data.payment_id)), dispute: rzpDispute(d) });

const lockDispute = (t: Tx, ctx: Ctx, id: string) => getObject<DisputeData>(t, ctx.tenant.id, 'dispute', id, { lock: true, what: 'dispute' });

async function decide(t: Tx, svc: PaymentServices, ctx: Ctx, d: DbDispute, outcome: 'won' | 'lost'): Promise<DbDispute> {
  const decided = await updateObject<DisputeData>(t, d.id, { status: outcome, data: { ...d.data, amount_deducted: outcome === 'lost' ? d.data.amount : 0 } });
  await raiseDispute(t, svc, ctx, outcome === 'won' ? 'payment.dispute.won' : 'payment.dispute.lost', decided);
  return decided;
}

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const dispute = byId('rzpDispute', 'dispute');

export const disputeRoutes = [
  route({
    ...base, method: 'post', path: '/v1/payments/:id/disputes', write: true, summary: "Simulate a customer's chargeback on a captured payment (Sandpay only)",
    params: byId('payment', 'payment'), body: z.strictObject({ amount: paiseInput().optional(), reason_code: z.string().regex(/^[a-z_]{3,40}$/).optional() }),
    response: rzpDisputeObject, example: { amount: 1000, reason_code: 'chargeback' },
    handler: async ({ t, svc, ctx, params: p, body }) => {
      // The payment's lock makes two chargebacks raised at once one after the other.
      const pay = await lockPayment(t, ctx.tenant.id, p.id);
      if (!CAPTURED_STATUSES.has(pay.status)) throw stateError('payment_not_captured', 'Only a captured payment can be disputed');
      if (await undecidedDisputeOf(t, ctx.tenant.id, pay.id)) throw stateError('dispute_open', 'The payment already has a dispute that is not decided');
      const disputable = Number(pay.amount_captured) - Number(pay.amount_refunded);
      if (disputable <= 0) throw stateError('payment_refunded', 'A fully refunded payment cannot be disputed');
      const amount = body.amount ?? disputable;
      if (amount > disputable) throw badRequest('amount_too_large', 'The dispute amount cannot exceed what was captured and not refunded', 'amount');
      const data: DisputeData = {
        payment_id: pay.id, amount, currency: pay.currency, amount_deducted: 0, reason_code: body.reason_code ?? 'chargeback',
        reason_description: 'The customer disputed the payment with their bank', respond_by: clockUnix(ctx) + 7 * 86_400, phase: 'chargeback', comments: null,
        evidence: { amount, summary: null, submitted_at: null, others: [], ...Object.fromEntries(EVIDENCE_LISTS.map((k) => [k, null])) },
      };
      const d = await insertObject<DisputeData>(t, { id: newId('rzpDispute'), tenantId: ctx.tenant.id, kind: 'dispute', status: 'open', data: { ...data } });
      await raiseDispute(t, svc, ctx, 'payment.dispute.created', d);
      return rzpDispute(d);
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/disputes', summary: 'All disputes (Razorpay)', query: ownListQuery({}), response: collectionOf(rzpDisputeObject),
    handler: async ({ db, ctx, query: q }) => collection(await listObjects<DisputeData, ReturnType<typeof rzpDispute>>(db, ctx.tenant.id, 'dispute', q, rzpDispute)),
  }),
  route({
    ...base, method: 'get', path: '/v1/disputes/:id', summary: 'Fetch a dispute (Razorpay)', params: dispute, response: rzpDisputeObject,
    handler: async ({ db, ctx, params: p }) => rzpDispute(await getObject<DisputeData>(db, ctx.tenant.id, 'dispute', p.id, { what: 'dispute' })),
  }),
  route({
    ...base, method: 'post', path: '/v1/disputes/:id/accept', write: true, summary: 'Accept a dispute: it is lost (Razorpay)', params: dispute, response: rzpDisputeObject,
    handler: async ({ t, svc, ctx, params: p }) => {
      const d = await lockDispute(t, ctx, p.id);
      if (d.status !== 'open') throw stateError('dispute_not_open', `The dispute cannot be accepted as it is ${d.status}`);
      return rzpDispute(await decide(t, svc, ctx, d, 'lost'));
    },
  }),
  route({
    ...base, method: 'patch', path: '/v1/disputes/:id/contest', write: true, summary: 'Contest a dispute: save evidence (draft) or submit it (under_review) (Razorpay)',
    params: dispute, body: contestBody, response: rzpDisputeObject, example: { summary: 'Delivered on time', shipping_proof: ['doc_EFtmUsbwpXwBH9'], action: 'submit' },
    handler: async ({ t, svc, ctx, params: p, body }) => {
      const d = await lockDispute(t, ctx, p.id);
      if (d.status !== 'open') throw stateError('dispute_not_open', `The dispute cannot be contested as it is ${d.status}`);
      const { action, ...given } = body;
      const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
      const submit = action === 'submit';
      const evidence: Evidence = { ...d.data.evidence, ...defined, submitted_at: submit ? clockUnix(ctx) : d.data.evidence.submitted_at };
      const updated = await updateObject<DisputeData>(t, d.id, { ...(submit ? { status: 'under_review' } : {}), data: { ...d.data, evidence } });
      if (submit) await raiseDispute(t, svc, ctx, 'payment.dispute.under_review', updated);
      return rzpDispute(updated);
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/disputes/:id/resolve', write: true, summary: "Simulate the bank's decision on a contested dispute (Sandpay only)",
    params: dispute, body: z.strictObject({ outcome: z.enum(['won', 'lost'], { error: 'outcome must be won or lost' }) }), response: rzpDisputeObject, example: { outcome: 'won' },
    handler: async ({ t, svc, ctx, params: p, body }) => {
      const d = await lockDispute(t, ctx, p.id);
      if (d.status !== 'under_review') throw stateError('dispute_not_under_review', `Only a dispute under review can be decided; this one is ${d.status}`);
      return rzpDispute(await decide(t, svc, ctx, d, body.outcome));
    },
  }),
];

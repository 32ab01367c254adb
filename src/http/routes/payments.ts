import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { tenantOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { mutation } from '../mutation.ts';
import { listWhere, pageQuery, paginate } from '../pagination.ts';
import { amountSchema, currencySchema, metadataSchema, parseQuery, timestampQuerySchema } from '../validate.ts';
import { auditForObject } from '../../audit/read.ts';
import { isId } from '../../ids.ts';
import { cancelPayment, capturePayment, simulatePayment } from '../../payments/actions.ts';
import { createPayment, type FraudCheck } from '../../payments/create.ts';
import { getPayment, paymentStats, paymentView, type DbPayment } from '../../payments/payments.ts';
import { PAYMENT_STATUSES } from '../../payments/state-machine.ts';
import { createRefund, refundView, type DbRefund } from '../../refunds/refunds.ts';

export const WALLETS = ['paytm', 'phonepe', 'amazonpay', 'mobikwik', 'freecharge', 'airtelmoney', 'googlepay', 'applepay'] as const;

const METHOD_FIELD = { card: 'card', upi: 'vpa', netbanking: 'bank', wallet: 'wallet' } as const;

const cardSchema = z.strictObject({
  number: z.string().min(1).max(30),
  exp_month: z.number().int().min(1).max(12),
  exp_year: z.number().int().min(2000).max(2100),
  cvc: z.string().min(1).max(4),
});

export const createPaymentSchema = z
  .strictObject({
    order_id: z.string().min(1).max(100).optional(),
    amount: amountSchema.optional(),
    currency: currencySchema.optional(),
    method: z.enum(['card', 'upi', 'netbanking', 'wallet']),
    card: cardSchema.optional(),
    vpa: z.string().max(256).regex(/^[a-zA-Z0-9._-]{2,200}@[a-zA-Z][a-zA-Z0-9]{1,50}$/, 'must look like name@bank').optional(),
    bank: z.string().regex(/^[A-Z]{4}$/, 'must be a 4-letter bank code such as HDFC').optional(),
    wallet: z.enum(WALLETS).optional(),
    capture: z.enum(['automatic', 'manual']).default('automatic'),
    description: z.string().max(1000).optional(),
    metadata: metadataSchema.optional(),
    customer_email: z.email().max(254).transform((e) => e.toLowerCase()).optional(),
    billing: z.strictObject({ country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as IN') }).optional(),
    webhook_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048).optional(),
  })
  .superRefine((v, ctx) => {
    // Exactly the detail field of the chosen method, and no other.
    const wanted = METHOD_FIELD[v.method];
    if (v[wanted] === undefined) ctx.addIssue({ code: 'custom', path: [wanted], message: `is required when method is ${v.method}` });
    for (const field of Object.values(METHOD_FIELD)) {
      if (field !== wanted && v[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is not allowed when method is ${v.method}` });
    }
  });

const simulateSchema = z.strictObject({
  outcome: z.enum(['success', 'failed', 'authorized', 'expired']),
  failure_code: z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must be a snake_case code').optional(),
});
const captureSchema = z.strictObject({ amount: amountSchema.optional() });
const refundSchema = z.strictObject({
  amount: amountSchema.optional(),
  reason: z.string().min(1).max(500).optional(),
  metadata: metadataSchema.optional(),
});
const listSchema = z.strictObject({
  ...pageQuery,
  status: z.enum(PAYMENT_STATUSES).optional(),
  created_gte: timestampQuerySchema.optional(),
  created_lte: timestampQuerySchema.optional(),
});

export function paymentId(id: string): string {
  if (!isId('payment', id)) throw notFound('payment');
  return id;
}

const respond = (status: number) => (p: DbPayment) => ({ status, body: paymentView(p) });

/** POST /payments is mounted on its own: it is the one route a publishable key may call. */
export function createPaymentRoute(deps: AppDeps, checkFraud: FraudCheck): RequestHandler {
  return mutation(deps, createPaymentSchema, async (t, input, ctx) => respond(201)(await createPayment(t, ctx, input, checkFraud)), { requireKey: true });
}

export function paymentsRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/payments', async (req, res) => {
    const q = parseQuery(listSchema, req.query);
    const filter = listWhere({ tenant_id: tenantOf(req).id, status: q.status, 'created_at >=': q.created_gte, 'created_at <=': q.created_lte });
    res.json(await paginate<DbPayment, ReturnType<typeof paymentView>>(db, { table: 'payments', ...filter, limit: q.limit, startingAfter: q.starting_after }, paymentView));
  });

  router.get('/payments/stats', async (req, res) => {
    res.json(await paymentStats(db, tenantOf(req).id));
  });

  router.get('/payments/:id', async (req, res) => {
    res.json(paymentView(await getPayment(db, tenantOf(req).id, paymentId(req.params.id))));
  });

  router.post(
    '/payments/:id/simulate',
    mutation(deps, simulateSchema, async (t, input, ctx, req) =>
      respond(200)(await simulatePayment(t, ctx, paymentId(String(req.params.id)), input.outcome, input.failure_code)),
    ),
  );

  router.post(
    '/payments/:id/capture',
    mutation(deps, captureSchema, async (t, input, ctx, req) => respond(200)(await capturePayment(t, ctx, paymentId(String(req.params.id)), input.amount))),
  );

  router.post(
    '/payments/:id/cancel',
    mutation(deps, z.strictObject({}), async (t, _input, ctx, req) => respond(200)(await cancelPayment(t, ctx, paymentId(String(req.params.id))))),
  );

  router.post(
    '/payments/:id/refunds',
    mutation(deps, refundSchema, async (t, input, ctx, req) => ({
      status: 201,
      body: refundView(await createRefund(t, ctx, paymentId(String(req.params.id)), input)),
    })),
  );

  router.get('/payments/:id/refunds', async (req, res) => {
    const q = parseQuery(z.strictObject(pageQuery), req.query);
    const p = await getPayment(db, tenantOf(req).id, paymentId(req.params.id));
    res.json(
      await paginate<DbRefund, ReturnType<typeof refundView>>(
        db,
        { table: 'refunds', ...listWhere({ tenant_id: p.tenant_id, payment_id: p.id }), limit: q.limit, startingAfter: q.starting_after },
        refundView,
      ),
    );
  });

  router.get('/payments/:id/audit', async (req, res) => {
    const p = await getPayment(db, tenantOf(req).id, paymentId(req.params.id));
    res.json({ object: 'list', data: await auditForObject(db, p.tenant_id, p.id), has_more: false, next_cursor: null });
  });

  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { tenantOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { mutation } from '../mutation.ts';
import { listWhere, pageQuery, paginate } from '../pagination.ts';
import { parseQuery } from '../validate.ts';
import { isId } from '../../ids.ts';
import { getRefund, refundView, settleRefund, type DbRefund } from '../../refunds/refunds.ts';

const simulateSchema = z.strictObject({
  outcome: z.enum(['processed', 'failed']),
  failure_code: z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must be a snake_case code').optional(),
});

function refundId(id: string): string {
  if (!isId('refund', id)) throw notFound('refund');
  return id;
}

export function refundsRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/refunds', async (req, res) => {
    const q = parseQuery(z.strictObject({ ...pageQuery, status: z.enum(['pending', 'processed', 'failed']).optional() }), req.query);
    const filter = listWhere({ tenant_id: tenantOf(req).id, status: q.status });
    res.json(await paginate<DbRefund, ReturnType<typeof refundView>>(db, { table: 'refunds', ...filter, limit: q.limit, startingAfter: q.starting_after }, refundView));
  });

  router.get('/refunds/:id', async (req, res) => {
    res.json(refundView(await getRefund(db, tenantOf(req).id, refundId(req.params.id))));
  });

  router.post(
    '/refunds/:id/simulate',
    mutation(deps, simulateSchema, async (t, input, ctx, req) => {
      const r = await settleRefund(t, ctx, refundId(String(req.params.id)), input.outcome, { strict: true, failureCode: input.failure_code });
      return { status: 200, body: refundView(r!) };
    }),
  );

  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { tenantOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { mutation } from '../mutation.ts';
import { listWhere, pageQuery, paginate } from '../pagination.ts';
import { amountSchema, currencySchema, metadataSchema, parseQuery } from '../validate.ts';
import { isId } from '../../ids.ts';
import { createOrder, getOrder, orderView, type DbOrder } from '../../orders/orders.ts';
import { paymentView, type DbPayment } from '../../payments/payments.ts';

const createSchema = z.strictObject({
  amount: amountSchema,
  currency: currencySchema,
  receipt: z.string().min(1).max(100).optional(),
  notes: metadataSchema.optional(),
});

const listSchema = z.strictObject({ ...pageQuery, status: z.enum(['created', 'attempted', 'paid']).optional() });

function orderId(id: string): string {
  if (!isId('order', id)) throw notFound('order');
  return id;
}

export function ordersRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  router.post(
    '/orders',
    mutation(deps, createSchema, async (t, input, ctx) => ({ status: 201, body: orderView(await createOrder(t, ctx, input)) })),
  );

  router.get('/orders', async (req, res) => {
    const q = parseQuery(listSchema, req.query);
    const filter = listWhere({ tenant_id: tenantOf(req).id, status: q.status });
    res.json(await paginate<DbOrder, ReturnType<typeof orderView>>(db, { table: 'orders', ...filter, limit: q.limit, startingAfter: q.starting_after }, orderView));
  });

  router.get('/orders/:id', async (req, res) => {
    res.json(orderView(await getOrder(db, tenantOf(req).id, orderId(req.params.id))));
  });

  router.get('/orders/:id/payments', async (req, res) => {
    const q = parseQuery(z.strictObject(pageQuery), req.query);
    const order = await getOrder(db, tenantOf(req).id, orderId(req.params.id));
    res.json(
      await paginate<DbPayment, ReturnType<typeof paymentView>>(
        db,
        { table: 'payments', ...listWhere({ tenant_id: order.tenant_id, order_id: order.id }), limit: q.limit, startingAfter: q.starting_after },
        paymentView,
      ),
    );
  });

  return router;
}

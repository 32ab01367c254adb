import { z } from 'zod';
import { listOf, pageQuery } from '../../../core/schemas.ts';
import { createOrder, orderView, updateOrderMetadata } from '../../../orders/orders.ts';
import { getOrder, listOrders } from '../../../orders/store.ts';
import { createOrderSchema, listOrdersQuery, orderObject, updateOrderSchema } from '../../../orders/schemas.ts';
import { paymentView } from '../../../payments/payments.ts';
import { listPayments } from '../../../payments/store.ts';
import { paymentObject } from '../../../payments/schemas.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Orders';
const params = byId('order', 'order');

export const orderRoutes = [
  route({
    method: 'post', path: '/api/v1/orders', auth: 'secret', permission: { resource: 'orders', level: 'write' }, tag, write: true, status: 201, summary: 'Create an order',
    description: 'Status goes `created → attempted → paid`. `notes` is accepted as an alias of `metadata`.',
    body: createOrderSchema, response: orderObject, example: { amount: 5000, currency: 'INR', receipt: 'order-1042', metadata: { cart: '42' } },
    handler: async ({ svc, t, ctx, body }) => orderView(await createOrder(t, svc, ctx, body)),
  }),
  route({
    method: 'get', path: '/api/v1/orders', auth: 'secret', permission: { resource: 'orders', level: 'read' }, tag, summary: 'List orders', query: listOrdersQuery, response: listOf(orderObject),
    handler: ({ db, ctx, query: q }) => listOrders(db, ctx.tenant.id, { status: q.status }, pageArgs(q), orderView),
  }),
  route({
    method: 'get', path: '/api/v1/orders/:id', auth: 'secret', permission: { resource: 'orders', level: 'read' }, tag, summary: 'Retrieve an order', params, response: orderObject,
    handler: async ({ db, ctx, params: p }) => orderView(await getOrder(db, ctx.tenant.id, p.id)),
  }),
  route({
    method: 'patch', path: '/api/v1/orders/:id', auth: 'secret', permission: { resource: 'orders', level: 'write' }, tag, write: true, summary: "Update an order's metadata (notes)", params, body: updateOrderSchema, response: orderObject, example: { metadata: { gift: true } },
    handler: async ({ svc, t, ctx, params: p, body }) => orderView(await updateOrderMetadata(t, svc, ctx, p.id, body.metadata)),
  }),
  route({
    method: 'get', path: '/api/v1/orders/:id/payments', auth: 'secret', permission: { resource: 'payments', level: 'read' }, tag, summary: "An order's payments (attempts)",
    params, query: z.strictObject(pageQuery), response: listOf(paymentObject),
    handler: async ({ db, ctx, params: p, query: q }) => {
      const order = await getOrder(db, ctx.tenant.id, p.id);
      return listPayments(db, order.tenant_id, { orderId: order.id }, pageArgs(q), paymentView);
    },
  }),
];

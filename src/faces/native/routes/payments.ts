import { z } from 'zod';
import { auditForObject } from '../../../audit/read.ts';
import { forbidden } from '../../../core/errors.ts';
import { listOf, pageQuery } from '../../../core/schemas.ts';
import { cancelPayment, capturePayment, simulatePayment } from '../../../payments/actions.ts';
import { createPayment } from '../../../payments/create.ts';
import { paymentStats, paymentView, updatePaymentMetadata } from '../../../payments/payments.ts';
import { getPayment, listPayments } from '../../../payments/store.ts';
import {
  capturePaymentSchema, createPaymentSchema, listPaymentsQuery, paymentObject, paymentStatsObject, simulatePaymentSchema, updatePaymentSchema,
} from '../../../payments/schemas.ts';
import { createRefund, refundView } from '../../../refunds/refunds.ts';
import { listRefunds } from '../../../refunds/store.ts';
import { createRefundSchema, refundObject } from '../../../refunds/schemas.ts';
import { checkTargetUrl } from '../../../webhooks/endpoints.ts';
import { auditEntryObject } from '../../../audit/schemas.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Payments';
const params = byId('payment', 'payment');

export const paymentRoutes = [
  route({
    method: 'post', path: '/api/v1/payments', auth: 'publishable', permission: { resource: 'payments', level: 'write' }, tag, write: true, idempotency: 'required', status: 201,
    summary: 'Create a payment',
    description: 'With `order_id` (amount and currency come from the order) or `amount` + `currency`. The test instrument decides the outcome. The publishable key may call this from a browser, but may not set `webhook_url`.',
    body: createPaymentSchema, response: paymentObject, errors: [404, 409],
    example: { amount: 5000, currency: 'INR', method: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' } },
    async prepare({ body, keyType, svc }) {
      if (body.webhook_url === undefined) return;
      // A browser must not choose where the tenant's signed events go.
      if (keyType === 'publishable') throw forbidden('secret_key_required', 'webhook_url can only be set with your secret key', 'webhook_url');
      await checkTargetUrl(body.webhook_url, svc.config.webhooks.allowPrivate, 'webhook_url');
    },
    handler: async ({ svc, t, ctx, body }) => paymentView(await createPayment(t, svc, ctx, body)),
  }),
  route({
    method: 'get', path: '/api/v1/payments', auth: 'secret', permission: { resource: 'payments', level: 'read' }, tag, summary: 'List payments', query: listPaymentsQuery, response: listOf(paymentObject),
    handler: ({ db, ctx, query: q }) =>
      listPayments(db, ctx.tenant.id, {
        status: q.status, createdGte: q.created_gte, createdLte: q.created_lte, method: q.method,
        amountGte: q.amount_gte, amountLte: q.amount_lte, customerEmail: q.customer_email,
      }, pageArgs(q), paymentView),
  }),
  route({
    method: 'get', path: '/api/v1/payments/stats', auth: 'secret', permission: { resource: 'payments', level: 'read' }, tag, summary: 'Counts and amounts by status', response: paymentStatsObject,
    handler: ({ db, ctx }) => paymentStats(db, ctx.tenant.id),
  }),
  route({
    method: 'get', path: '/api/v1/payments/:id', auth: 'secret', permission: { resource: 'payments', level: 'read' }, tag, summary: 'Retrieve a payment', params, response: paymentObject,
    handler: async ({ db, ctx, params: p }) => paymentView(await getPayment(db, ctx.tenant.id, p.id)),
  }),
  route({
    method: 'patch', path: '/api/v1/payments/:id', auth: 'secret', permission: { resource: 'payments', level: 'write' }, tag, write: true, summary: "Update a payment's metadata", params, body: updatePaymentSchema, response: paymentObject, example: { metadata: { shipped: true } },
    handler: async ({ svc, t, ctx, params: p, body }) => paymentView(await updatePaymentMetadata(t, svc, ctx, p.id, body.metadata)),
  }),
  route({
    method: 'post', path: '/api/v1/payments/:id/simulate', auth: 'secret', permission: { resource: 'payments', level: 'write' }, tag, write: true, summary: 'Move a payment to an outcome (test mode)',
    params, body: simulatePaymentSchema, response: paymentObject, errors: [409], example: { outcome: 'success' },
    handler: async ({ svc, t, ctx, params: p, body }) => paymentView(await simulatePayment(t, svc, ctx, p.id, body.outcome, body.failure_code)),
  }),
  route({
    method: 'post', path: '/api/v1/payments/:id/capture', auth: 'secret', permission: { resource: 'payments', level: 'write' }, tag, write: true, summary: 'Capture an authorized payment, fully or partly',
    params, body: capturePaymentSchema, response: paymentObject, errors: [409], example: {},
    handler: async ({ svc, t, ctx, params: p, body }) => paymentView(await capturePayment(t, svc, ctx, p.id, body.amount)),
  }),
  route({
    method: 'post', path: '/api/v1/payments/:id/cancel', auth: 'secret', permission: { resource: 'payments', level: 'write' }, tag, write: true, summary: 'Cancel a pending or authorized payment',
    params, body: z.strictObject({}), response: paymentObject, errors: [409], example: {},
    handler: async ({ svc, t, ctx, params: p }) => paymentView(await cancelPayment(t, svc, ctx, p.id)),
  }),
  route({
    method: 'post', path: '/api/v1/payments/:id/refunds', auth: 'secret', permission: { resource: 'refunds', level: 'write' }, tag: 'Refunds', write: true, status: 201, summary: 'Refund a payment, fully or partly',
    params, body: createRefundSchema, response: refundObject, errors: [409], example: { amount: 1, reason: 'customer request' },
    handler: async ({ svc, t, ctx, params: p, body }) => refundView(await createRefund(t, svc, ctx, p.id, body)),
  }),
  route({
    method: 'get', path: '/api/v1/payments/:id/refunds', auth: 'secret', permission: { resource: 'refunds', level: 'read' }, tag: 'Refunds', summary: "A payment's refunds",
    params, query: z.strictObject(pageQuery), response: listOf(refundObject),
    handler: async ({ db, ctx, params: p, query: q }) => {
      const payment = await getPayment(db, ctx.tenant.id, p.id);
      return listRefunds(db, payment.tenant_id, { paymentId: payment.id }, pageArgs(q), refundView);
    },
  }),
  route({
    method: 'get', path: '/api/v1/payments/:id/audit', auth: 'secret', permission: { resource: 'audit', level: 'read' }, tag: 'Audit', summary: "A payment's audit trail, oldest first",
    params, response: listOf(auditEntryObject),
    handler: async ({ db, ctx, params: p }) => {
      const payment = await getPayment(db, ctx.tenant.id, p.id);
      return { object: 'list' as const, data: await auditForObject(db, payment.tenant_id, payment.id), has_more: false, next_cursor: null };
    },
  }),
];

import { listOf } from '../../../core/schemas.ts';
import { refundView, settleRefund } from '../../../refunds/refunds.ts';
import { getRefund, listRefunds } from '../../../refunds/store.ts';
import { listRefundsQuery, refundObject, simulateRefundSchema } from '../../../refunds/schemas.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Refunds';
const params = byId('refund', 'refund');

export const refundRoutes = [
  route({
    method: 'get', path: '/api/v1/refunds', auth: 'secret', permission: { resource: 'refunds', level: 'read' }, tag, summary: 'List refunds', query: listRefundsQuery, response: listOf(refundObject),
    handler: ({ db, ctx, query: q }) => listRefunds(db, ctx.tenant.id, { status: q.status }, pageArgs(q), refundView),
  }),
  route({
    method: 'get', path: '/api/v1/refunds/:id', auth: 'secret', permission: { resource: 'refunds', level: 'read' }, tag, summary: 'Retrieve a refund', params, response: refundObject,
    handler: async ({ db, ctx, params: p }) => refundView(await getRefund(db, ctx.tenant.id, p.id)),
  }),
  route({
    method: 'post', path: '/api/v1/refunds/:id/simulate', auth: 'secret', permission: { resource: 'refunds', level: 'write' }, tag, write: true, summary: 'Settle a pending refund now (test mode)',
    params, body: simulateRefundSchema, response: refundObject, errors: [409], example: { outcome: 'processed' },
    handler: async ({ svc, t, ctx, params: p, body }) => refundView((await settleRefund(t, svc, ctx, p.id, body.outcome, { strict: true, failureCode: body.failure_code }))!),
  }),
];

import { z } from 'zod';
import { badRequest, notFound } from '../../core/errors.ts';
import { createOrder, updateOrderMetadata } from '../../orders/orders.ts';
import { getOrder } from '../../orders/store.ts';
import { updatePaymentMetadata } from '../../payments/payments.ts';
import { getPayment, listPayments } from '../../payments/store.ts';
import { updateRefundMetadata } from '../../refunds/refunds.ts';
import { getRefund, listRefunds } from '../../refunds/store.ts';
import { captureAsRazorpay, collection, listOrdersAsRazorpay, refundAsRazorpay, rzpOrderRow, rzpPaymentRow, rzpRefundRow } from './api.ts';
import {
  captureBody, captureMethodOf, collectionOf, COUNT_MAX, createOrderBody, listOrdersQuery, listPaymentsQuery, PAYMENT_EXPANSIONS, withExpand, collectionQuery, notesBody, refundBody, rzpOrderObject, rzpPaymentObject, rzpRefundObject,
} from './schemas.ts';
import { byId, idParam, route } from '../../routing/route.ts';
import { razorpayHttpFace } from './http-face.ts';
import { razorpayOwnRoutes } from './own-routes.ts';
import { orderFetchQuery, refuseTransfers } from './transfers.ts';

/**
 * Razorpay's API under /v1, as a view of the same orders, payments and refunds as /api/v1: HTTP
 * Basic with a Razorpay key pair, Razorpay's entities and error shape (http-face.ts). An
 * integration written against the official SDK runs here by changing only its host. Razorpay's
 * server API cannot create payments (its checkout does): they come from checkout.js or the native API.
 */
const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const order = byId('order', 'order');
const payment = byId('payment', 'payment');
const refund = byId('refund', 'refund');
/** A payment's expansions change nothing: the card is always shown on card payments. */
const fetchQuery = withExpand(PAYMENT_EXPANSIONS, {});

/** X-Refund-Idempotency, as Razorpay takes it: any value up to 100 characters; longer is refused rather than cut. */
function idempotencyHeader(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > 100) throw badRequest('invalid_idempotency_key', 'X-Refund-Idempotency may not be greater than 100 characters.', 'X-Refund-Idempotency');
  return value;
}

export const razorpayRoutes = [
  // Razorpay's own objects (own-routes.ts), first: /v1/payments/qr_codes must not be read as a payment id.
  ...razorpayOwnRoutes,

  // ----- orders -----
  route({
    ...base, method: 'post', path: '/v1/orders', write: true, summary: 'Create an order (Razorpay)',
    description: 'With `payment_capture: 0` (or `payment: {capture: "manual"}`) the checkout leaves the payment `authorized` and hands over the signed result then; capture it with POST /v1/payments/:id/capture.',
    body: createOrderBody, response: rzpOrderObject, example: { amount: 50000, currency: 'INR', receipt: 'receipt#1', notes: { cart: '42' } },
    handler: async ({ svc, t, ctx, body }) =>
      rzpOrderRow(await createOrder(t, svc, ctx, {
        amount: body.amount, currency: body.currency, receipt: body.receipt, metadata: body.notes, capture_method: captureMethodOf(body),
        unique_receipt: body.unique_receipt, partial_payment: body.partial_payment, first_payment_min_amount: body.first_payment_min_amount,
      })),
  }),
  route({
    ...base, method: 'get', path: '/v1/orders', summary: 'All orders (Razorpay)', query: listOrdersQuery, response: collectionOf(rzpOrderObject),
    handler: ({ db, ctx, query: q }) => listOrdersAsRazorpay(db, ctx.tenant.id, q),
  }),
  route({
    ...base, method: 'get', path: '/v1/orders/:id', summary: 'Fetch an order (Razorpay)', params: order, query: orderFetchQuery, response: rzpOrderObject,
    handler: async ({ db, ctx, params: p, query: q }) => (refuseTransfers(q), rzpOrderRow(await getOrder(db, ctx.tenant.id, p.id))),
  }),
  route({
    ...base, method: 'patch', path: '/v1/orders/:id', write: true, summary: "Edit an order's notes (Razorpay)", params: order, body: notesBody, response: rzpOrderObject,
    example: { notes: { gift: 'yes' } },
    handler: async ({ svc, t, ctx, params: p, body }) => rzpOrderRow(await updateOrderMetadata(t, svc, ctx, p.id, body.notes)),
  }),
  route({
    ...base, method: 'get', path: '/v1/orders/:id/payments', summary: `An order's payments, newest ${COUNT_MAX} (Razorpay)`, params: order, response: collectionOf(rzpPaymentObject),
    handler: async ({ db, ctx, params: p }) => {
      const o = await getOrder(db, ctx.tenant.id, p.id);
      return collection(await listPayments(db, ctx.tenant.id, { orderId: o.id }, { count: COUNT_MAX, skip: 0 }, rzpPaymentRow));
    },
  }),

  // ----- payments -----
  route({
    ...base, method: 'get', path: '/v1/payments', summary: 'All payments (Razorpay)', query: listPaymentsQuery, response: collectionOf(rzpPaymentObject),
    handler: async ({ db, ctx, query: q }) => collection(await listPayments(db, ctx.tenant.id, {}, q, rzpPaymentRow)),
  }),
  route({
    ...base, method: 'get', path: '/v1/payments/:id', summary: 'Fetch a payment (Razorpay)', params: payment, query: fetchQuery, response: rzpPaymentObject,
    handler: async ({ db, ctx, params: p }) => rzpPaymentRow(await getPayment(db, ctx.tenant.id, p.id)),
  }),
  route({
    ...base, method: 'post', path: '/v1/payments/:id/capture', write: true, summary: 'Capture an authorized payment (Razorpay: the whole amount)',
    params: payment, body: captureBody, response: rzpPaymentObject, example: { amount: 50000, currency: 'INR' },
    handler: async ({ svc, t, ctx, params: p, body }) => rzpPaymentRow(await captureAsRazorpay(t, svc, ctx, p.id, body.amount, body.currency)),
  }),
  route({
    ...base, method: 'patch', path: '/v1/payments/:id', write: true, summary: "Edit a payment's notes (Razorpay)", params: payment, body: notesBody, response: rzpPaymentObject,
    example: { notes: { shipped: 'yes' } },
    handler: async ({ svc, t, ctx, params: p, body }) => rzpPaymentRow(await updatePaymentMetadata(t, svc, ctx, p.id, body.notes)),
  }),
  route({
    ...base, method: 'post', path: '/v1/payments/:id/refund', write: true, summary: 'Refund a captured payment, fully or partly (Razorpay)',
    description: 'As Razorpay\'s test mode: `processed` at once, with the payment\'s `amount_refunded` and `refund_status` updated in the same call, at either `speed` (`speed_processed` is what it was processed at). ' +
      'A tenant in async mode (settings.auto_process) gets `pending` refunds, processed REFUND_PROCESS_DELAY_MS later. The same `X-Refund-Idempotency` header value answers the refund it made.',
    params: payment, body: refundBody, response: rzpRefundObject, example: { amount: 10000, notes: { reason: 'return' } },
    handler: async ({ svc, t, ctx, params: p, body, header }) =>
      rzpRefundRow(await refundAsRazorpay(t, svc, ctx, p.id, body, idempotencyHeader(header('x-refund-idempotency')))),
  }),
  route({
    ...base, method: 'get', path: '/v1/payments/:id/refunds', summary: "A payment's refunds (Razorpay)", params: payment, query: collectionQuery, response: collectionOf(rzpRefundObject),
    handler: async ({ db, ctx, params: p, query: q }) => {
      const pay = await getPayment(db, ctx.tenant.id, p.id);
      return collection(await listRefunds(db, ctx.tenant.id, { paymentId: pay.id }, q, rzpRefundRow));
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/payments/:id/refunds/:refund_id', summary: 'Fetch one refund of a payment (Razorpay)',
    params: z.strictObject({ id: idParam('payment', 'payment'), refund_id: idParam('refund', 'refund') }), response: rzpRefundObject,
    handler: async ({ db, ctx, params: p }) => {
      const r = await getRefund(db, ctx.tenant.id, p.refund_id);
      if (r.payment_id !== p.id) throw notFound('refund'); // another payment's refund
      return rzpRefundRow(r);
    },
  }),

  // ----- refunds -----
  route({
    ...base, method: 'get', path: '/v1/refunds', summary: 'All refunds (Razorpay)', query: collectionQuery, response: collectionOf(rzpRefundObject),
    handler: async ({ db, ctx, query: q }) => collection(await listRefunds(db, ctx.tenant.id, {}, q, rzpRefundRow)),
  }),
  route({
    ...base, method: 'get', path: '/v1/refunds/:id', summary: 'Fetch a refund (Razorpay)', params: refund, response: rzpRefundObject,
    handler: async ({ db, ctx, params: p }) => rzpRefundRow(await getRefund(db, ctx.tenant.id, p.id)),
  }),
  route({
    ...base, method: 'patch', path: '/v1/refunds/:id', write: true, summary: "Edit a refund's notes (Razorpay)", params: refund, body: notesBody, response: rzpRefundObject,
    example: { notes: { ticket: '77' } },
    handler: async ({ svc, t, ctx, params: p, body }) => rzpRefundRow(await updateRefundMetadata(t, svc, ctx, p.id, body.notes)),
  }),
];

import { z } from 'zod';
import { badRequest, stateError } from '../../core/errors.ts';
import type { Tx } from '../../db/pool.ts';
import { newId } from '../../ids.ts';
import { createOrder } from '../../orders/orders.ts';
import { createPayment } from '../../payments/create.ts';
import type { DbPayment } from '../../payments/payments.ts';
import type { PaymentServices } from '../../payments/services.ts';
import { getPayment, paymentsOfOrders } from '../../payments/store.ts';
import { byId, route } from '../../routing/route.ts';
import type { Ctx } from '../../services.ts';
import { collection, rzpPaymentRow } from './api.ts';
import { getCustomer } from './customers.ts';
import { assertFuture, clockUnix, scheduleExpiry, shortUrlOf } from './expiry.ts';
import { razorpayHttpFace } from './http-face.ts';
import { flag, notesField, notesOut, ownListQuery, paiseInput, raiseOwn, unix, unixInput } from './own-objects.ts';
import { collectionOf, collectionQuery, notesObject, rzpPaymentObject } from './schemas.ts';
import { getObject, insertObject, listObjects, objectOfOrder, qrPaymentOrders, updateObject, type DbObject } from './store.ts';
import { RAZORPAY_PAYMENT } from './status.ts';

/**
 * Razorpay's UPI QR codes. Sandpay draws no image: `image_url` is a page with the QR's UPI
 * intent, and a payer is simulated with POST /v1/payments/qr_codes/:id/pay (a UPI payment from
 * a test VPA; its own order, linked to the QR by a qr_payment row), which credits the QR once
 * the payment is captured (qr_code.credited; a single_use QR then closes: qr_code.closed).
 */

export interface QrData {
  name: string | null;
  usage: 'single_use' | 'multiple_use';
  type: 'upi_qr';
  fixed_amount: boolean;
  payment_amount: number | null;
  description: string | null;
  close_by: number | null;
  notes: Record<string, unknown>;
  image_url: string;
  payments_amount_received: number;
  payments_count_received: number;
  closed_at: number | null;
  close_reason: 'on_demand' | 'paid' | null;
}
export type DbQr = DbObject<QrData>;

export const rzpQrObject = z
  .strictObject({
    id: z.string(), entity: z.literal('qr_code'), created_at: z.number().int(), name: z.string().nullable(), usage: z.enum(['single_use', 'multiple_use']),
    type: z.literal('upi_qr'), image_url: z.string(), image_content: z.string(), payment_amount: z.number().int().nullable(), status: z.enum(['active', 'closed']),
    description: z.string().nullable(), fixed_amount: z.boolean(), payments_amount_received: z.number().int(), payments_count_received: z.number().int(),
    notes: notesObject, customer_id: z.string().nullable(), close_by: z.number().int().nullable(), closed_at: z.number().int().nullable(),
    close_reason: z.enum(['on_demand', 'paid']).nullable(),
  })
  .meta({ id: 'RazorpayQrCode' });

/** The UPI intent a real QR encodes: Sandpay's test payee, the QR as the transaction reference. */
const intentOf = (q: DbQr) =>
  `upi://pay?${new URLSearchParams({ pa: 'sandpay.qr@sandpay', pn: q.data.name ?? 'Sandpay', tr: q.id, cu: 'INR', ...(q.data.payment_amount ? { am: (q.data.payment_amount / 100).toFixed(2) } : {}) })}`;

export const rzpQr = (q: DbQr): z.output<typeof rzpQrObject> => ({
  id: q.id, entity: 'qr_code', created_at: unix(q.created_at), name: q.data.name, usage: q.data.usage, type: 'upi_qr', image_url: q.data.image_url,
  image_content: intentOf(q), payment_amount: q.data.payment_amount, status: q.status as 'active' | 'closed', description: q.data.description,
  fixed_amount: q.data.fixed_amount, payments_amount_received: q.data.payments_amount_received, payments_count_received: q.data.payments_count_received,
  notes: notesOut(q.data.notes), customer_id: q.customer_id, close_by: q.data.close_by, closed_at: q.data.closed_at, close_reason: q.data.close_reason,
});

const createQrBody = z
  .strictObject({
    type: z.literal('upi_qr', { error: 'Only upi_qr QR codes are supported' }),
    name: z.string().max(256).optional(),
    usage: z.enum(['single_use', 'multiple_use'], { error: 'usage must be single_use or multiple_use' }),
    fixed_amount: flag.optional(),
    payment_amount: paiseInput('payment amount').optional(),
    description: z.string().max(2048).optional(),
    customer_id: z.string().min(1).max(40).optional(),
    /** On the tenant's clock, in the future (assertFuture). */
    close_by: unixInput.optional(),
    notes: notesField,
    tax_invoice: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((v, c) => {
    if (v.fixed_amount && v.payment_amount === undefined) c.addIssue({ code: 'custom', path: ['payment_amount'], message: 'The payment amount field is required when fixed amount is true.' });
    if (!v.fixed_amount && v.payment_amount !== undefined) c.addIssue({ code: 'custom', path: ['payment_amount'], message: 'payment_amount is/are not required and should not be sent' });
    if (v.usage === 'multiple_use' && v.close_by !== undefined) c.addIssue({ code: 'custom', path: ['close_by'], message: 'close_by can only be set for single_use QR codes' });
  });

const payQrBody = z.strictObject({
  amount: paiseInput().optional(),
  vpa: z.string().max(256).regex(/^[a-zA-Z0-9._-]{2,200}@[a-zA-Z][a-zA-Z0-9]{1,50}$/, 'The vpa must look like name@bank').default('success@razorpay'),
});

const lockQr = (t: Tx, ctx: Ctx, id: string) => getObject<QrData>(t, ctx.tenant.id, 'qr_code', id, { lock: true, what: 'QR code' });

async function closeQr(t: Tx, svc: PaymentServices, ctx: Ctx, q: DbQr, reason: QrData['close_reason']): Promise<DbQr> {
  const closed = await updateObject<QrData>(t, q.id, { status: 'closed', data: { ...q.data, closed_at: clockUnix(ctx), close_reason: reason } });
  raiseOwn(t, svc, ctx, 'qr_code.closed', q.id, { qr_code: rzpQr(closed) });
  return closed;
}

/** A simulated payer scans the QR: a UPI payment for its order, credited by the paymentMoved hook (qrCredited) once captured. */
async function payQr(t: Tx, svc: PaymentServices, ctx: Ctx, id: string, body: z.output<typeof payQrBody>): Promise<DbPayment> {
  const q = await lockQr(t, ctx, id);
  if (q.status !== 'active') throw stateError('qr_code_closed', 'The QR code is closed and cannot accept payments');
  if (q.data.fixed_amount && body.amount !== undefined && body.amount !== q.data.payment_amount) {
    throw badRequest('amount_mismatch', `This QR code accepts exactly ${q.data.payment_amount} paise`, 'amount');
  }
  const amount = q.data.fixed_amount ? q.data.payment_amount! : body.amount;
  if (amount === undefined) throw badRequest('parameter_missing', 'The amount field is required.', 'amount');
  const order = await createOrder(t, svc, ctx, { amount, currency: 'INR', receipt: q.id, metadata: undefined });
  await insertObject(t, { id: newId('rzpQrCode'), tenantId: ctx.tenant.id, kind: 'qr_payment', orderId: order.id, data: { qr_code_id: q.id } });
  return createPayment(t, svc, ctx, { order_id: order.id, method: 'upi', vpa: body.vpa, description: q.data.description ?? undefined }, RAZORPAY_PAYMENT);
}

/** The paymentMoved hook's part: a captured payment on a QR's order credits the QR. */
export async function qrCredited(t: Tx, svc: PaymentServices, ctx: Ctx, qrCodeId: string, p: DbPayment): Promise<void> {
  const q = await lockQr(t, ctx, qrCodeId);
  const credited = await updateObject<QrData>(t, q.id, {
    data: { ...q.data, payments_amount_received: q.data.payments_amount_received + Number(p.amount_captured), payments_count_received: q.data.payments_count_received + 1 },
  });
  raiseOwn(t, svc, ctx, 'qr_code.credited', q.id, { payment: rzpPaymentRow(p), qr_code: rzpQr(credited) });
  if (credited.data.usage === 'single_use' && credited.status === 'active') await closeQr(t, svc, ctx, credited, 'paid');
}

/** The expiry job's part: a single_use QR still open at close_by closes. */
export async function qrExpired(t: Tx, svc: PaymentServices, ctx: Ctx, q: DbQr): Promise<void> {
  if (q.status !== 'active' || q.data.close_by === null || q.data.close_by > clockUnix(ctx)) return;
  await closeQr(t, svc, ctx, q, null);
}

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const qr = byId('rzpQrCode', 'QR code');

export const qrCodeRoutes = [
  route({
    ...base, method: 'post', path: '/v1/payments/qr_codes', write: true, summary: 'Create a UPI QR code (Razorpay)', body: createQrBody, response: rzpQrObject,
    example: { type: 'upi_qr', name: 'Store 1', usage: 'single_use', fixed_amount: true, payment_amount: 30000, description: 'Counter 1' },
    handler: async ({ t, svc, ctx, body, baseUrl }) => {
      assertFuture(ctx, body.close_by, 'close_by');
      const customer = body.customer_id ? await getCustomer(t, ctx.tenant.id, body.customer_id, 'customer_id') : null;
      const id = newId('rzpQrCode');
      const data: QrData = {
        name: body.name ?? null, usage: body.usage, type: 'upi_qr', fixed_amount: body.fixed_amount ?? false, payment_amount: body.payment_amount ?? null,
        description: body.description ?? null, close_by: body.close_by ?? null, notes: body.notes ?? {}, image_url: shortUrlOf(baseUrl, id),
        payments_amount_received: 0, payments_count_received: 0, closed_at: null, close_reason: null,
      };
      const q = await insertObject<QrData>(t, { id, tenantId: ctx.tenant.id, kind: 'qr_code', status: 'active', customerId: customer?.id ?? null, data: { ...data } });
      await scheduleExpiry(t, svc, ctx, id, body.close_by);
      raiseOwn(t, svc, ctx, 'qr_code.created', id, { qr_code: rzpQr(q) });
      return rzpQr(q);
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/payments/qr_codes', summary: 'All QR codes (Razorpay)',
    query: ownListQuery({ customer_id: z.string().max(40).optional(), payment_id: z.string().max(40).optional() }), response: collectionOf(rzpQrObject),
    handler: async ({ db, ctx, query: q }) => {
      if (q.payment_id !== undefined) {
        const p = await getPayment(db, ctx.tenant.id, q.payment_id).catch(() => null);
        const row = p?.order_id ? await objectOfOrder<{ qr_code_id: string }>(db, ctx.tenant.id, p.order_id, 'qr_payment') : undefined;
        return collection(row ? [rzpQr(await getObject<QrData>(db, ctx.tenant.id, 'qr_code', row.data.qr_code_id))] : []);
      }
      return collection(await listObjects<QrData, ReturnType<typeof rzpQr>>(db, ctx.tenant.id, 'qr_code', q, rzpQr, { customer_id: q.customer_id }));
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/payments/qr_codes/:id', summary: 'Fetch a QR code (Razorpay)', params: qr, response: rzpQrObject,
    handler: async ({ db, ctx, params: p }) => rzpQr(await getObject<QrData>(db, ctx.tenant.id, 'qr_code', p.id, { what: 'QR code' })),
  }),
  route({
    ...base, method: 'get', path: '/v1/payments/qr_codes/:id/payments', summary: "A QR code's payments (Razorpay)", params: qr, query: collectionQuery, response: collectionOf(rzpPaymentObject),
    handler: async ({ db, ctx, params: p, query: q }) => {
      const code = await getObject<QrData>(db, ctx.tenant.id, 'qr_code', p.id, { what: 'QR code' });
      const orders = await qrPaymentOrders(db, ctx.tenant.id, code.id, q);
      const payments = await paymentsOfOrders(db, ctx.tenant.id, orders);
      return collection(payments.reverse().map(rzpPaymentRow));
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/payments/qr_codes/:id/close', write: true, summary: 'Close a QR code (Razorpay)', params: qr, response: rzpQrObject,
    handler: async ({ t, svc, ctx, params: p }) => {
      const q = await lockQr(t, ctx, p.id);
      if (q.status !== 'active') throw stateError('qr_code_closed', 'QR code is already closed');
      return rzpQr(await closeQr(t, svc, ctx, q, 'on_demand'));
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/payments/qr_codes/:id/pay', write: true, summary: 'Simulate a payer scanning the QR code (Sandpay only)',
    description: 'A UPI payment from `vpa` (default success@razorpay; failure@razorpay declines) of `amount` (the fixed amount if the QR has one). Once captured it credits the QR: qr_code.credited, and for a single_use QR qr_code.closed.',
    params: qr, body: payQrBody, response: rzpPaymentObject, example: { amount: 30000, vpa: 'success@razorpay' },
    handler: async ({ t, svc, ctx, params: p, body }) => rzpPaymentRow(await payQr(t, svc, ctx, p.id, body)),
  }),
];

import { z } from 'zod';
import { badRequest, notFound, stateError } from '../../core/errors.ts';
import type { Tx } from '../../db/pool.ts';
import { newId, randomBase62 } from '../../ids.ts';
import { createOrder } from '../../orders/orders.ts';
import { createPayment } from '../../payments/create.ts';
import type { DbPayment } from '../../payments/payments.ts';
import type { PaymentServices } from '../../payments/services.ts';
import { paymentsOfOrders } from '../../payments/store.ts';
import { byId, idParam, route } from '../../routing/route.ts';
import type { Ctx } from '../../services.ts';
import { collection, rzpPaymentRow } from './api.ts';
import { getCustomer } from './customers.ts';
import { assertFuture, clockUnix, scheduleExpiry } from './expiry.ts';
import { razorpayHttpFace } from './http-face.ts';
import { notesField, notesOut, ownListQuery, paiseInput, raiseOwn, unix, unixInput } from './own-objects.ts';
import { collectionOf, collectionQuery, notesObject, rzpPaymentObject } from './schemas.ts';
import { getObject, insertObject, listObjects, updateObject, vaPaymentOrders, type DbObject } from './store.ts';
import { RAZORPAY_PAYMENT } from './status.ts';

/**
 * Razorpay's Smart Collect virtual accounts, with UPI (vpa) receivers: bank-account receivers
 * would need bank transfers, which the ledger has no method for, so they are refused. A payer is
 * simulated with POST /v1/virtual_accounts/:id/pay (a UPI payment to its VPA, on an order of its
 * own linked by a va_payment row); once captured it credits the account (virtual_account.credited).
 * Allowed payers (TPV) are kept and shown; Sandpay does not check payments against them.
 */

interface Receiver { id: string; entity: 'vpa'; username: string; handle: string; address: string; name: string }
interface AllowedPayer { id: string; entity: 'bank_account'; type: 'bank_account'; bank_account: { ifsc: string; account_number: string } }
export interface VaData {
  name: string | null;
  description: string | null;
  amount_expected: number | null;
  amount_paid: number;
  notes: Record<string, unknown>;
  receivers: Receiver[];
  allowed_payers: AllowedPayer[];
  close_by: number | null;
  closed_at: number | null;
}
export type DbVa = DbObject<VaData>;

export const rzpVaObject = z
  .looseObject({
    id: z.string(), entity: z.literal('virtual_account'), status: z.enum(['active', 'closed']), amount_paid: z.number().int(),
    receivers: z.array(z.record(z.string(), z.unknown())), allowed_payers: z.array(z.record(z.string(), z.unknown())), notes: notesObject, created_at: z.number().int(),
  })
  .meta({ id: 'RazorpayVirtualAccount' });

export const rzpVa = (v: DbVa) => ({
  id: v.id, name: v.data.name, entity: 'virtual_account' as const, status: v.status as 'active' | 'closed', description: v.data.description,
  amount_expected: v.data.amount_expected, notes: notesOut(v.data.notes), amount_paid: v.data.amount_paid, customer_id: v.customer_id,
  receivers: v.data.receivers, allowed_payers: v.data.allowed_payers, close_by: v.data.close_by, closed_at: v.data.closed_at, created_at: unix(v.created_at),
});

const receiversInput = z.strictObject({
  types: z.array(z.enum(['vpa', 'bank_account', 'qr_code'], { error: 'types must be vpa, bank_account or qr_code' })).min(1).max(3)
    .refine((t) => t.every((x) => x === 'vpa'), 'Sandpay simulates vpa receivers only: bank transfers and QR receivers are not simulated'),
  vpa: z.strictObject({ descriptor: z.string().regex(/^[a-z0-9]{1,10}$/, 'descriptor must be up to 10 lower-case letters or digits') }).optional(),
});
const allowedPayerInput = z.strictObject({
  type: z.literal('bank_account', { error: 'type must be bank_account' }),
  bank_account: z.strictObject({ ifsc: z.string().regex(/^[A-Z]{4}0[A-Z0-9]{6}$/, 'The ifsc is invalid.'), account_number: z.string().regex(/^[0-9A-Za-z]{5,35}$/, 'The account number is invalid.') }),
});

const createVaBody = z.strictObject({
  receivers: receiversInput,
  name: z.string().max(100).optional(),
  description: z.string().max(2048).optional(),
  customer_id: z.string().min(1).max(40).optional(),
  amount_expected: paiseInput('amount expected').optional(),
  /** On the tenant's clock, in the future (assertFuture). */
  close_by: unixInput.optional(),
  notes: notesField,
  allowed_payers: z.array(allowedPayerInput).max(10).optional(),
});

const vpaReceiver = (descriptor: string | undefined): Receiver => {
  const username = `rpy.payto${descriptor ?? ''}${randomBase62(10).toLowerCase()}`;
  return { id: `vpa_${randomBase62(14)}`, entity: 'vpa', username, handle: 'sandpay', address: `${username}@sandpay`, name: 'Sandpay' };
};
const allowedPayer = (p: z.output<typeof allowedPayerInput>): AllowedPayer => ({ id: `ba_${randomBase62(14)}`, entity: 'bank_account', type: 'bank_account', bank_account: p.bank_account });

const lockVa = (t: Tx, ctx: Ctx, id: string) => getObject<VaData>(t, ctx.tenant.id, 'virtual_account', id, { lock: true, what: 'virtual account' });

async function closeVa(t: Tx, svc: PaymentServices, ctx: Ctx, v: DbVa): Promise<DbVa> {
  const closed = await updateObject<VaData>(t, v.id, { status: 'closed', data: { ...v.data, closed_at: clockUnix(ctx) } });
  raiseOwn(t, svc, ctx, 'virtual_account.closed', v.id, { virtual_account: rzpVa(closed) });
  return closed;
}

/** The paymentMoved hook's part: a captured payment to the account's VPA credits it. */
export async function vaCredited(t: Tx, svc: PaymentServices, ctx: Ctx, accountId: string, p: DbPayment): Promise<void> {
  const v = await lockVa(t, ctx, accountId);
  const credited = await updateObject<VaData>(t, v.id, { data: { ...v.data, amount_paid: v.data.amount_paid + Number(p.amount_captured) } });
  raiseOwn(t, svc, ctx, 'virtual_account.credited', v.id, { payment: rzpPaymentRow(p), virtual_account: rzpVa(credited) });
}

/** The expiry job's part: an account still open at close_by closes. */
export async function vaExpired(t: Tx, svc: PaymentServices, ctx: Ctx, v: DbVa): Promise<void> {
  if (v.status !== 'active' || v.data.close_by === null || v.data.close_by > clockUnix(ctx)) return;
  await closeVa(t, svc, ctx, v);
}

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const va = byId('rzpVirtualAccount', 'virtual account');
const payVaBody = z.strictObject({
  amount: paiseInput(),
  /** The payer's VPA: success@razorpay (default) pays, failure@razorpay declines. */
  vpa: z.string().max(256).regex(/^[a-zA-Z0-9._-]{2,200}@[a-zA-Z][a-zA-Z0-9]{1,50}$/, 'The vpa must look like name@bank').default('success@razorpay'),
});

export const virtualAccountRoutes = [
  route({
    ...base, method: 'post', path: '/v1/virtual_accounts', write: true, summary: 'Create a virtual account with a VPA receiver (Razorpay Smart Collect)',
    body: createVaBody, response: rzpVaObject, example: { receivers: { types: ['vpa'], vpa: { descriptor: 'shop' } }, name: 'Acme', description: 'Rent', notes: { flat: '12' } },
    handler: async ({ t, svc, ctx, body }) => {
      assertFuture(ctx, body.close_by, 'close_by');
      const customer = body.customer_id ? await getCustomer(t, ctx.tenant.id, body.customer_id, 'customer_id') : null;
      const data: VaData = {
        name: body.name ?? null, description: body.description ?? null, amount_expected: body.amount_expected ?? null, amount_paid: 0, notes: body.notes ?? {},
        receivers: [vpaReceiver(body.receivers.vpa?.descriptor)], allowed_payers: (body.allowed_payers ?? []).map(allowedPayer), close_by: body.close_by ?? null, closed_at: null,
      };
      const v = await insertObject<VaData>(t, { id: newId('rzpVirtualAccount'), tenantId: ctx.tenant.id, kind: 'virtual_account', status: 'active', customerId: customer?.id ?? null, data: { ...data } });
      await scheduleExpiry(t, svc, ctx, v.id, body.close_by);
      raiseOwn(t, svc, ctx, 'virtual_account.created', v.id, { virtual_account: rzpVa(v) });
      return rzpVa(v);
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/virtual_accounts', summary: 'All virtual accounts (Razorpay)', query: ownListQuery({}), response: collectionOf(rzpVaObject),
    handler: async ({ db, ctx, query: q }) => collection(await listObjects<VaData, ReturnType<typeof rzpVa>>(db, ctx.tenant.id, 'virtual_account', q, rzpVa)),
  }),
  route({
    ...base, method: 'get', path: '/v1/virtual_accounts/:id', summary: 'Fetch a virtual account (Razorpay)', params: va, response: rzpVaObject,
    handler: async ({ db, ctx, params: p }) => rzpVa(await getObject<VaData>(db, ctx.tenant.id, 'virtual_account', p.id, { what: 'virtual account' })),
  }),
  route({
    ...base, method: 'post', path: '/v1/virtual_accounts/:id/close', write: true, summary: 'Close a virtual account (Razorpay)', params: va, response: rzpVaObject,
    handler: async ({ t, svc, ctx, params: p }) => {
      const v = await lockVa(t, ctx, p.id);
      if (v.status !== 'active') throw stateError('virtual_account_closed', 'Virtual account is already closed');
      return rzpVa(await closeVa(t, svc, ctx, v));
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/virtual_accounts/:id/payments', summary: "A virtual account's payments (Razorpay)", params: va, query: collectionQuery, response: collectionOf(rzpPaymentObject),
    handler: async ({ db, ctx, params: p, query: q }) => {
      const v = await getObject<VaData>(db, ctx.tenant.id, 'virtual_account', p.id, { what: 'virtual account' });
      const payments = await paymentsOfOrders(db, ctx.tenant.id, await vaPaymentOrders(db, ctx.tenant.id, v.id, q));
      return collection(payments.reverse().map(rzpPaymentRow));
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/virtual_accounts/:id/receivers', write: true, summary: 'Add a receiver to a virtual account (Razorpay: vpa)', params: va, body: receiversInput, response: rzpVaObject,
    example: { types: ['vpa'], vpa: { descriptor: 'extra' } },
    handler: async ({ t, ctx, params: p, body }) => {
      const v = await lockVa(t, ctx, p.id);
      if (v.status !== 'active') throw stateError('virtual_account_closed', 'Virtual account is closed');
      if (v.data.receivers.length > 0) throw badRequest('receiver_exists', 'The virtual account already has a vpa receiver', 'types');
      return rzpVa(await updateObject<VaData>(t, v.id, { data: { ...v.data, receivers: [...v.data.receivers, vpaReceiver(body.vpa?.descriptor)] } }));
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/virtual_accounts/:id/allowed_payers', write: true, summary: 'Add an allowed payer (TPV) to a virtual account (Razorpay)', params: va, body: allowedPayerInput,
    response: rzpVaObject, example: { type: 'bank_account', bank_account: { ifsc: 'UTIB0000013', account_number: '914010012345679' } },
    handler: async ({ t, ctx, params: p, body }) => {
      const v = await lockVa(t, ctx, p.id);
      if (v.data.allowed_payers.some((a) => a.bank_account.ifsc === body.bank_account.ifsc && a.bank_account.account_number === body.bank_account.account_number)) {
        throw badRequest('allowed_payer_exists', 'The allowed payer already exists for the virtual account', 'bank_account');
      }
      return rzpVa(await updateObject<VaData>(t, v.id, { data: { ...v.data, allowed_payers: [...v.data.allowed_payers, allowedPayer(body)] } }));
    },
  }),
  route({
    ...base, method: 'delete', path: '/v1/virtual_accounts/:id/allowed_payers/:payer_id', write: true, summary: 'Remove an allowed payer (Razorpay: answers nothing)',
    params: z.strictObject({ id: idParam('rzpVirtualAccount', 'virtual account'), payer_id: z.string().regex(/^ba_[0-9A-Za-z]{14}$/, 'The id provided does not exist') }),
    response: z.strictObject({}),
    handler: async ({ t, ctx, params: p }) => {
      const v = await lockVa(t, ctx, p.id);
      if (!v.data.allowed_payers.some((a) => a.id === p.payer_id)) throw notFound('allowed payer', 'payer_id');
      await updateObject<VaData>(t, v.id, { data: { ...v.data, allowed_payers: v.data.allowed_payers.filter((a) => a.id !== p.payer_id) } });
      return {};
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/virtual_accounts/:id/pay', write: true, summary: "Simulate a UPI payment to a virtual account's VPA (Sandpay only)",
    description: 'A UPI payment of `amount` from `vpa` (default success@razorpay; failure@razorpay declines). Once captured it credits the account: virtual_account.credited.',
    params: va, body: payVaBody, response: rzpPaymentObject, example: { amount: 50000, vpa: 'success@razorpay' },
    handler: async ({ t, svc, ctx, params: p, body }) => {
      const v = await lockVa(t, ctx, p.id);
      if (v.status !== 'active') throw stateError('virtual_account_closed', 'The virtual account is closed and cannot accept payments');
      const order = await createOrder(t, svc, ctx, { amount: body.amount, currency: 'INR', receipt: v.id, metadata: undefined });
      await insertObject(t, { id: newId('rzpVirtualAccount'), tenantId: ctx.tenant.id, kind: 'va_payment', orderId: order.id, data: { virtual_account_id: v.id } });
      return rzpPaymentRow(await createPayment(t, svc, ctx, { order_id: order.id, method: 'upi', vpa: body.vpa, description: v.data.description ?? undefined }, RAZORPAY_PAYMENT));
    },
  }),
];

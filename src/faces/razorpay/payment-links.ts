import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { badRequest, stateError } from '../../core/errors.ts';
import { currencySchema } from '../../core/schemas.ts';
import type { Tx } from '../../db/pool.ts';
import { newId } from '../../ids.ts';
import { expireOrderSessions } from '../../checkout/sessions.ts';
import { createOrder } from '../../orders/orders.ts';
import { getOrder } from '../../orders/store.ts';
import type { DbPayment } from '../../payments/payments.ts';
import { getPayment } from '../../payments/store.ts';
import { byId, route } from '../../routing/route.ts';
import type { Ctx, Services } from '../../services.ts';
import type { PaymentServices } from '../../payments/services.ts';
import { rzpOrderRow, rzpPaymentRow } from './api.ts';
import { assertFuture, clockUnix, scheduleExpiry, shortUrlOf } from './expiry.ts';
import { razorpayHttpFace } from './http-face.ts';
import { flag, notesField, notesOut, ownListQuery, paiseInput, payerInput, raiseOwn, unix, unixInput, type Payer } from './own-objects.ts';
import { notesObject } from './schemas.ts';
import { getObject, insertObject, listObjects, objectOfOrder, updateObject, type DbObject } from './store.ts';

/**
 * Razorpay's payment links: an order the payer pays on a Sandpay hosted page behind `short_url`
 * (payable.ts opens the checkout for it). The link follows its order: paid when a payment pays
 * it (payment_link.paid), partially_paid while an accept_partial link's payments fall short of
 * its amount, expired at expire_by, cancelled on request.
 */

interface LinkPayment { amount: number; created_at: number; method: string; payment_id: string; plink_id: string; status: string; updated_at: number }
export interface LinkData {
  amount: number;
  currency: string;
  amount_paid: number;
  description: string | null;
  reference_id: string | null;
  customer: Payer;
  notify: { sms: boolean; email: boolean; whatsapp: boolean };
  reminder_enable: boolean;
  notes: Record<string, unknown>;
  callback_url: string | null;
  callback_method: string | null;
  expire_by: number | null;
  upi_link: boolean;
  payments: LinkPayment[];
  short_url: string;
  cancelled_at: number | null;
  expired_at: number | null;
  /** Partial payments (accept_partial): its order takes several payments, the first at least first_min_partial_amount. Absent on links made before. */
  accept_partial?: boolean;
  first_min_partial_amount?: number | null;
  /** The key pair (api_keys id) that made the link: its key_secret signs the callback to callback_url, as Razorpay's does. */
  key_row_id: string | null;
}
export type DbLink = DbObject<LinkData>;

export const rzpLinkObject = z
  .looseObject({
    id: z.string(), entity: z.literal('payment_link'), status: z.enum(['created', 'partially_paid', 'expired', 'cancelled', 'paid']), amount: z.number().int(),
    amount_paid: z.number().int(), currency: z.string(), order_id: z.string(), short_url: z.string(), notes: notesObject, created_at: z.number().int(), updated_at: z.number().int(),
  })
  .meta({ id: 'RazorpayPaymentLink' });

export const rzpLink = (l: DbLink) => ({
  id: l.id, entity: 'payment_link' as const, accept_partial: l.data.accept_partial ?? false, amount: l.data.amount, amount_paid: l.data.amount_paid, callback_method: l.data.callback_method ?? '',
  callback_url: l.data.callback_url ?? '', cancelled_at: l.data.cancelled_at ?? 0, created_at: unix(l.created_at), currency: l.data.currency,
  customer: l.data.customer, description: l.data.description ?? '', expire_by: l.data.expire_by ?? 0, expired_at: l.data.expired_at ?? 0,
  first_min_partial_amount: l.data.first_min_partial_amount ?? 0, notes: notesOut(l.data.notes), notify: l.data.notify, order_id: l.order_id!,
  payments: l.data.payments.length > 0 ? l.data.payments : null, reference_id: l.data.reference_id ?? '', reminder_enable: l.data.reminder_enable,
  reminders: [] as unknown[], short_url: l.data.short_url, status: l.status as 'created' | 'partially_paid' | 'expired' | 'cancelled' | 'paid',
  updated_at: unix(l.updated_at), upi_link: l.data.upi_link, user_id: '', whatsapp_link: false,
});

const createLinkBody = z.strictObject({
  amount: paiseInput(),
  currency: currencySchema.default('INR'),
  accept_partial: flag.optional(),
  first_min_partial_amount: paiseInput('first min partial amount').optional(),
  /** On the tenant's clock, in the future (assertFuture). */
  expire_by: unixInput.optional(),
  reference_id: z.string().max(40, 'The reference id may not be greater than 40 characters.').optional(),
  description: z.string().max(2048).optional(),
  customer: payerInput.optional(),
  notify: z.strictObject({ sms: z.boolean().optional(), email: z.boolean().optional(), whatsapp: z.boolean().optional() }).optional(),
  reminder_enable: z.boolean().optional(),
  notes: notesField,
  callback_url: z.url({ protocol: /^https?$/, error: 'The callback url must be a valid URL.' }).max(2048).optional(),
  callback_method: z.literal('get', { error: 'callback_method must be get' }).optional(),
  /** A UPI link: the hosted page offers UPI only. */
  upi_link: flag.optional(),
  /** Checkout's look (options.checkout): accepted, not applied. */
  options: z.record(z.string(), z.unknown()).optional(),
}).superRefine((v, ctx) => {
  if (v.first_min_partial_amount === undefined) return;
  if (v.accept_partial !== true) ctx.addIssue({ code: 'custom', path: ['first_min_partial_amount'], message: 'first_min_partial_amount is/are not required and should not be sent' });
  else if (v.first_min_partial_amount > v.amount) ctx.addIssue({ code: 'custom', path: ['first_min_partial_amount'], message: 'The first min partial amount may not be greater than the amount.' });
});

const editLinkBody = z.strictObject({
  accept_partial: flag.optional(), reference_id: z.string().max(40).optional(), expire_by: unixInput.optional(), notes: notesField, reminder_enable: z.boolean().optional(),
});

async function assertFreeReference(t: Tx, tenantId: string, ref: string | undefined, self?: string): Promise<void> {
  if (ref === undefined || ref === '') return;
  const [other] = await listObjects<LinkData, string>(t, tenantId, 'payment_link', { count: 1, skip: 0 }, (l) => l.id, { reference_id: ref });
  if (other && other !== self) throw badRequest('reference_id_taken', `Payment Link with reference id ${ref} already exists`, 'reference_id');
}

export async function createLink(t: Tx, svc: Services, ctx: Ctx, baseUrl: string, keyRowId: string | null, body: z.output<typeof createLinkBody>): Promise<DbLink> {
  assertFuture(ctx, body.expire_by, 'expire_by');
  await assertFreeReference(t, ctx.tenant.id, body.reference_id);
  const partial = body.accept_partial ?? false;
  const order = await createOrder(t, svc, ctx, {
    amount: body.amount, currency: body.currency, receipt: body.reference_id, metadata: undefined,
    partial_payment: partial, first_payment_min_amount: partial ? body.first_min_partial_amount : undefined,
  });
  const id = newId('rzpPaymentLink');
  const data: LinkData = {
    amount: body.amount, currency: body.currency, amount_paid: 0, description: body.description ?? null, reference_id: body.reference_id ?? null,
    customer: body.customer ?? {}, notify: { sms: body.notify?.sms ?? false, email: body.notify?.email ?? false, whatsapp: body.notify?.whatsapp ?? false },
    reminder_enable: body.reminder_enable ?? false, notes: body.notes ?? {}, callback_url: body.callback_url ?? null, callback_method: body.callback_method ?? null,
    expire_by: body.expire_by ?? null, upi_link: body.upi_link ?? false, payments: [], short_url: shortUrlOf(baseUrl, id), cancelled_at: null, expired_at: null, key_row_id: keyRowId,
    accept_partial: partial, first_min_partial_amount: partial ? (body.first_min_partial_amount ?? null) : null,
  };
  const link = await insertObject<LinkData>(t, { id, tenantId: ctx.tenant.id, kind: 'payment_link', status: 'created', orderId: order.id, data: { ...data } });
  await scheduleExpiry(t, svc, ctx, id, body.expire_by);
  return link;
}

const lockLink = (t: Tx, ctx: Ctx, id: string) => getObject<LinkData>(t, ctx.tenant.id, 'payment_link', id, { lock: true, what: 'payment link' });
const OPEN = new Set(['created', 'partially_paid']);

function assertOpen(l: DbLink, what: string): void {
  if (!OPEN.has(l.status!)) throw stateError('payment_link_not_open', `Payment Link cannot be ${what} as it is in ${l.status} state`);
}

/**
 * Where the payer goes after paying a link with a callback_url: Razorpay's query parameters, and
 * razorpay_signature, the hex HMAC-SHA256 of `plink_id|reference_id|status|payment_id` keyed with
 * the key_secret of the pair that made the link (what the SDK's validatePaymentVerification
 * checks). Null when the payment did not pay this link, or the link has no callback_url.
 */
export function linkCallbackUrl(l: DbLink, paymentId: string, keySecret: string): string | null {
  if (!l.data.callback_url || !l.data.payments.some((p) => p.payment_id === paymentId)) return null;
  const ref = l.data.reference_id ?? '';
  const status = l.status!;
  const u = new URL(l.data.callback_url);
  u.searchParams.set('razorpay_payment_id', paymentId);
  u.searchParams.set('razorpay_payment_link_id', l.id);
  u.searchParams.set('razorpay_payment_link_reference_id', ref);
  u.searchParams.set('razorpay_payment_link_status', status);
  u.searchParams.set('razorpay_signature', createHmac('sha256', keySecret).update(`${l.id}|${ref}|${status}|${paymentId}`).digest('hex'));
  return u.toString();
}

/**
 * The paymentMoved hook's part: a payment on the link's order pays it, or with accept_partial pays
 * part of it (partially_paid, payment_link.partially_paid) until its payments add up to the amount.
 */
export async function linkPaid(t: Tx, svc: PaymentServices, ctx: Ctx, l: DbLink, p: DbPayment): Promise<void> {
  if (!OPEN.has(l.status!)) return;
  const now = clockUnix(ctx);
  const payment: LinkPayment = { amount: Number(p.amount), created_at: unix(p.created_at), method: p.method, payment_id: p.id, plink_id: l.id, status: 'captured', updated_at: now };
  const amountPaid = l.data.amount_paid + Number(p.amount_captured);
  const status = amountPaid >= l.data.amount ? 'paid' : 'partially_paid';
  const paid = await updateObject<LinkData>(t, l.id, { status, data: { ...l.data, amount_paid: amountPaid, payments: [...l.data.payments, payment] } });
  const order = await getOrder(t, ctx.tenant.id, l.order_id!);
  raiseOwn(t, svc, ctx, `payment_link.${status}`, l.id, { payment_link: rzpLink(paid), order: rzpOrderRow(order), payment: rzpPaymentRow(p) });
}

/** The expiry job's part. */
export async function linkExpired(t: Tx, svc: PaymentServices, ctx: Ctx, l: DbLink): Promise<void> {
  if (!OPEN.has(l.status!) || l.data.expire_by === null || l.data.expire_by > clockUnix(ctx)) return;
  const expired = await updateObject<LinkData>(t, l.id, { status: 'expired', data: { ...l.data, expired_at: clockUnix(ctx) } });
  await expireOrderSessions(t, svc, ctx, l.order_id!);
  raiseOwn(t, svc, ctx, 'payment_link.expired', l.id, { payment_link: rzpLink(expired) });
}

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const link = byId('rzpPaymentLink', 'payment link');
const listLinksQuery = ownListQuery({ payment_id: z.string().max(40).optional(), reference_id: z.string().max(40).optional() });

export const paymentLinkRoutes = [
  route({
    ...base, method: 'post', path: '/v1/payment_links', write: true, summary: 'Create a payment link (Razorpay)',
    description: '`short_url` opens a Sandpay hosted checkout for the link (any test card or VPA); paying it sends payment_link.paid. With `accept_partial` the payer chooses each amount (the first at least `first_min_partial_amount`): payment_link.partially_paid until fully paid.',
    body: createLinkBody, response: rzpLinkObject,
    example: { amount: 50000, currency: 'INR', description: 'Order #42', customer: { name: 'Gaurav', email: 'gaurav@example.com' }, notes: { cart: '42' } },
    handler: async ({ t, svc, ctx, body, baseUrl, faceKeyId }) => rzpLink(await createLink(t, svc, ctx, baseUrl, faceKeyId, body)),
  }),
  route({
    ...base, method: 'get', path: '/v1/payment_links', summary: 'All payment links (Razorpay)', query: listLinksQuery,
    response: z.strictObject({ payment_links: z.array(rzpLinkObject) }),
    handler: async ({ db, ctx, query: q }) => {
      if (q.payment_id !== undefined) {
        const p = await getPayment(db, ctx.tenant.id, q.payment_id).catch(() => null);
        const l = p?.order_id ? await objectOfOrder<LinkData>(db, ctx.tenant.id, p.order_id, 'payment_link') : undefined;
        return { payment_links: l ? [rzpLink(l)] : [] };
      }
      return { payment_links: await listObjects<LinkData, ReturnType<typeof rzpLink>>(db, ctx.tenant.id, 'payment_link', q, rzpLink, { reference_id: q.reference_id }) };
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/payment_links/:id', summary: 'Fetch a payment link (Razorpay)', params: link, response: rzpLinkObject,
    handler: async ({ db, ctx, params: p }) => rzpLink(await getObject<LinkData>(db, ctx.tenant.id, 'payment_link', p.id, { what: 'payment link' })),
  }),
  route({
    ...base, method: 'patch', path: '/v1/payment_links/:id', write: true, summary: 'Edit a payment link (Razorpay)', params: link, body: editLinkBody, response: rzpLinkObject,
    example: { reference_id: 'ref-42', notes: { cart: '43' } },
    handler: async ({ t, svc, ctx, params: p, body }) => {
      const l = await lockLink(t, ctx, p.id);
      assertOpen(l, 'updated');
      assertFuture(ctx, body.expire_by, 'expire_by');
      await assertFreeReference(t, ctx.tenant.id, body.reference_id, l.id);
      // The link's order was made taking partial payments or not; Sandpay does not remake it.
      if (body.accept_partial !== undefined && body.accept_partial !== (l.data.accept_partial ?? false)) {
        throw badRequest('accept_partial_fixed', 'accept_partial cannot be changed after the payment link is created in Sandpay', 'accept_partial');
      }
      const data: LinkData = {
        ...l.data, reference_id: body.reference_id ?? l.data.reference_id, expire_by: body.expire_by ?? l.data.expire_by, notes: body.notes ?? l.data.notes,
        reminder_enable: body.reminder_enable ?? l.data.reminder_enable,
      };
      if (body.expire_by !== undefined) await scheduleExpiry(t, svc, ctx, l.id, body.expire_by);
      return rzpLink(await updateObject<LinkData>(t, l.id, { data: { ...data } }));
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/payment_links/:id/cancel', write: true, summary: 'Cancel a payment link (Razorpay)', params: link, response: rzpLinkObject,
    handler: async ({ t, svc, ctx, params: p }) => {
      const l = await lockLink(t, ctx, p.id);
      assertOpen(l, 'cancelled');
      const cancelled = await updateObject<LinkData>(t, l.id, { status: 'cancelled', data: { ...l.data, cancelled_at: clockUnix(ctx) } });
      // A checkout already open for it can no longer pay it.
      await expireOrderSessions(t, svc, ctx, l.order_id!);
      raiseOwn(t, svc, ctx, 'payment_link.cancelled', l.id, { payment_link: rzpLink(cancelled) });
      return rzpLink(cancelled);
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/payment_links/:id/notify_by/:medium', write: true, summary: 'Send a payment link again by SMS or email (Razorpay: nothing is sent)',
    params: z.strictObject({ id: link.shape.id, medium: z.enum(['sms', 'email', 'whatsapp'], { error: 'medium must be sms, email or whatsapp' }) }),
    response: z.strictObject({ success: z.boolean() }),
    handler: async ({ t, ctx, params: p }) => {
      const l = await lockLink(t, ctx, p.id);
      assertOpen(l, 'notified');
      return { success: true };
    },
  }),
];

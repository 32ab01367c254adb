import { z } from 'zod';
import { badRequest, stateError } from '../../core/errors.ts';
import { currencySchema } from '../../core/schemas.ts';
import type { Tx } from '../../db/pool.ts';
import { newId, randomBase62 } from '../../ids.ts';
import { expireOrderSessions } from '../../checkout/sessions.ts';
import { createOrder } from '../../orders/orders.ts';
import { getOrder } from '../../orders/store.ts';
import type { DbPayment } from '../../payments/payments.ts';
import type { PaymentServices } from '../../payments/services.ts';
import { getPayment } from '../../payments/store.ts';
import { byId, route } from '../../routing/route.ts';
import type { Ctx, Services } from '../../services.ts';
import { rzpOrderRow, rzpPaymentRow } from './api.ts';
import { getCustomer } from './customers.ts';
import { assertFuture, clockUnix, scheduleExpiry, shortUrlOf } from './expiry.ts';
import { razorpayHttpFace } from './http-face.ts';
import type { ItemData } from './items.ts';
import { flag, notesField, notesOut, ownListQuery, paiseInput, payerInput, raiseOwn, unix, unixInput, type Payer } from './own-objects.ts';
import { collectionOf, notesObject } from './schemas.ts';
import { deleteObject, getObject, insertObject, listObjects, objectOfOrder, objectsByIds, updateObject, type DbObject } from './store.ts';

/**
 * Razorpay's invoices: line items (inline or from items) for a customer, a draft until issued;
 * issuing makes the order the payer pays on the hosted page behind `short_url`. Paid by a
 * payment on that order (invoice.paid), expired at expire_by (invoice.expired), or cancelled.
 */

interface LineItem {
  id: string; item_id: string | null; name: string; description: string | null; amount: number; currency: string; quantity: number;
  hsn_code: string | null; sac_code: string | null; tax_rate: number | null; unit: string | null;
}
interface Customer extends Payer { id: string | null; billing_address: unknown; shipping_address: unknown; gstin: string | null }
export interface InvoiceData {
  type: 'invoice' | 'link';
  description: string | null;
  customer: Customer;
  line_items: LineItem[];
  amount: number;
  currency: string;
  amount_paid: number;
  payment_id: string | null;
  receipt: string | null;
  invoice_number: string | null;
  expire_by: number | null;
  date: number | null;
  terms: string | null;
  comment: string | null;
  notes: Record<string, unknown>;
  sms_notify: boolean;
  email_notify: boolean;
  callback_url: string | null;
  callback_method: string | null;
  short_url: string | null;
  issued_at: number | null;
  paid_at: number | null;
  cancelled_at: number | null;
  expired_at: number | null;
  /** Partial payments (partial_payment): its order takes several payments. Absent on invoices made before. */
  partial_payment?: boolean;
}
export type DbInvoice = DbObject<InvoiceData>;

const STATUSES = ['draft', 'issued', 'partially_paid', 'paid', 'cancelled', 'expired', 'deleted'] as const;

export const rzpInvoiceObject = z
  .looseObject({
    id: z.string(), entity: z.literal('invoice'), status: z.enum(STATUSES), amount: z.number().int(), amount_paid: z.number().int(), amount_due: z.number().int(),
    currency: z.string(), order_id: z.string().nullable(), short_url: z.string().nullable(), line_items: z.array(z.record(z.string(), z.unknown())), notes: notesObject,
    created_at: z.number().int(),
  })
  .meta({ id: 'RazorpayInvoice' });

const lineItemOut = (li: LineItem) => ({
  id: li.id, item_id: li.item_id, ref_id: null, ref_type: null, name: li.name, description: li.description, amount: li.amount, unit_amount: li.amount,
  gross_amount: li.amount * li.quantity, tax_amount: 0, taxable_amount: li.amount * li.quantity, net_amount: li.amount * li.quantity, currency: li.currency,
  type: 'invoice', tax_inclusive: false, hsn_code: li.hsn_code, sac_code: li.sac_code, tax_rate: li.tax_rate, unit: li.unit, quantity: li.quantity, taxes: [],
});

export const rzpInvoice = (i: DbInvoice) => {
  const d = i.data;
  return {
    id: i.id, entity: 'invoice' as const, receipt: d.receipt, invoice_number: d.invoice_number, customer_id: d.customer.id,
    customer_details: {
      id: d.customer.id, name: d.customer.name ?? null, email: d.customer.email ?? null, contact: d.customer.contact ?? null, gstin: d.customer.gstin,
      billing_address: d.customer.billing_address ?? null, shipping_address: d.customer.shipping_address ?? null,
      customer_name: d.customer.name ?? null, customer_email: d.customer.email ?? null, customer_contact: d.customer.contact ?? null,
    },
    order_id: i.order_id, line_items: d.line_items.map(lineItemOut), payment_id: d.payment_id, status: i.status as (typeof STATUSES)[number],
    expire_by: d.expire_by, issued_at: d.issued_at, paid_at: d.paid_at, cancelled_at: d.cancelled_at, expired_at: d.expired_at,
    sms_status: d.sms_notify && d.issued_at ? 'sent' : null, email_status: d.email_notify && d.issued_at ? 'sent' : null,
    date: d.date ?? d.issued_at, terms: d.terms, partial_payment: d.partial_payment ?? false, gross_amount: d.amount, tax_amount: 0, taxable_amount: d.amount,
    amount: d.amount, amount_paid: d.amount_paid, amount_due: d.amount - d.amount_paid, currency: d.currency, currency_symbol: d.currency === 'INR' ? '₹' : d.currency,
    description: d.description, notes: notesOut(d.notes), comment: d.comment, short_url: d.short_url, view_less: true, billing_start: null, billing_end: null,
    type: d.type, group_taxes_discounts: false, supply_state_code: null, user_id: null, first_payment_min_amount: null,
    callback_url: d.callback_url, callback_method: d.callback_method, created_at: unix(i.created_at), idempotency_key: null,
  };
};

const lineItemInput = z.union([
  z.strictObject({ item_id: z.string().min(1).max(40), quantity: z.number().int().min(1).max(100_000).optional() }),
  z.strictObject({
    name: z.string().trim().min(1).max(250), description: z.string().max(2048).optional(), amount: paiseInput(), currency: currencySchema.optional(),
    quantity: z.number().int().min(1).max(100_000).optional(), hsn_code: z.string().max(8).optional(), sac_code: z.string().max(8).optional(),
    tax_rate: z.number().int().min(0).max(2800).optional(), unit: z.string().max(64).optional(),
  }),
]);
const customerInput = payerInput.extend({ billing_address: z.record(z.string(), z.unknown()).optional(), shipping_address: z.record(z.string(), z.unknown()).optional(), gstin: z.string().max(15).optional() });

const invoiceFields = {
  description: z.string().max(2048).optional(),
  customer_id: z.string().min(1).max(40).optional(),
  customer: customerInput.optional(),
  line_items: z.array(lineItemInput).min(1, 'The line items field is required.').max(50).optional(),
  /** On the tenant's clock, in the future (assertFuture). */
  expire_by: unixInput.optional(),
  date: unixInput.optional(),
  terms: z.string().max(2048).optional(),
  comment: z.string().max(2048).optional(),
  receipt: z.string().max(40, 'The receipt may not be greater than 40 characters.').optional(),
  invoice_number: z.string().max(40).optional(),
  notes: notesField,
  sms_notify: flag.optional(),
  email_notify: flag.optional(),
  callback_url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  callback_method: z.literal('get').optional(),
  partial_payment: flag.optional(),
};
const createInvoiceBody = z.strictObject({
  type: z.enum(['invoice', 'link']).default('invoice'),
  currency: currencySchema.default('INR'),
  /** A `link` invoice may give an amount instead of line items. */
  amount: paiseInput().optional(),
  /** 1: saved as a draft, issued later (invoices.issue). */
  draft: flag.optional(),
  ...invoiceFields,
});
const editInvoiceBody = z.strictObject(invoiceFields);

async function lineItemsOf(t: Tx, ctx: Ctx, currency: string, input: Array<z.output<typeof lineItemInput>>): Promise<LineItem[]> {
  const ids = input.flatMap((li) => ('item_id' in li ? [li.item_id] : []));
  const items = new Map((await objectsByIds<ItemData>(t, ctx.tenant.id, 'item', ids)).map((i) => [i.id, i]));
  return input.map((li, n) => {
    const common = { id: `li_${randomBase62(14)}`, quantity: li.quantity ?? 1 };
    if ('item_id' in li) {
      const item = items.get(li.item_id);
      if (!item) throw badRequest('item_missing', `line_items.${n}.item_id: the item ${li.item_id} does not exist`, `line_items.${n}.item_id`);
      if (item.data.currency !== currency) throw badRequest('currency_mismatch', `The item ${item.id} is in ${item.data.currency}, the invoice in ${currency}`, `line_items.${n}.item_id`);
      const d = item.data;
      return { ...common, item_id: item.id, name: d.name, description: d.description, amount: d.amount, currency: d.currency, hsn_code: d.hsn_code, sac_code: d.sac_code, tax_rate: d.tax_rate, unit: d.unit };
    }
    if (li.currency !== undefined && li.currency !== currency) throw badRequest('currency_mismatch', `A line item's currency must be the invoice's (${currency})`, `line_items.${n}.currency`);
    return {
      ...common, item_id: null, name: li.name, description: li.description ?? null, amount: li.amount, currency, hsn_code: li.hsn_code ?? null,
      sac_code: li.sac_code ?? null, tax_rate: li.tax_rate ?? null, unit: li.unit ?? null,
    };
  });
}

async function customerOf(t: Tx, ctx: Ctx, body: { customer_id?: string | undefined; customer?: z.output<typeof customerInput> | undefined }): Promise<Customer | null> {
  if (body.customer_id !== undefined) {
    const c = await getCustomer(t, ctx.tenant.id, body.customer_id, 'customer_id');
    return { id: c.id, name: c.data.name, ...(c.data.email ? { email: c.data.email } : {}), ...(c.data.contact ? { contact: c.data.contact } : {}), gstin: c.data.gstin, billing_address: null, shipping_address: null };
  }
  if (body.customer !== undefined) return { id: null, ...body.customer, gstin: body.customer.gstin ?? null, billing_address: body.customer.billing_address ?? null, shipping_address: body.customer.shipping_address ?? null };
  return null;
}

/** Makes the invoice's order and its short_url: it can be paid from now on. */
async function issue(t: Tx, svc: Services, ctx: Ctx, baseUrl: string, i: DbInvoice): Promise<DbInvoice> {
  if (i.data.amount < 100) throw badRequest('amount_too_small', 'The invoice amount must be atleast INR 1.00', 'line_items');
  const order = await createOrder(t, svc, ctx, {
    amount: i.data.amount, currency: i.data.currency, receipt: i.data.receipt ?? undefined, metadata: undefined, partial_payment: i.data.partial_payment ?? false,
  });
  const issued = await updateObject<InvoiceData>(t, i.id, { status: 'issued', orderId: order.id, data: { ...i.data, short_url: shortUrlOf(baseUrl, i.id), issued_at: clockUnix(ctx) } });
  await scheduleExpiry(t, svc, ctx, i.id, i.data.expire_by);
  return issued;
}

export async function createInvoice(t: Tx, svc: Services, ctx: Ctx, baseUrl: string, body: z.output<typeof createInvoiceBody>): Promise<DbInvoice> {
  assertFuture(ctx, body.expire_by, 'expire_by');
  if (body.line_items === undefined && (body.type === 'invoice' || body.amount === undefined)) {
    throw badRequest('parameter_missing', 'The line items field is required.', 'line_items');
  }
  const customer = await customerOf(t, ctx, body);
  if (!customer && body.type === 'invoice') throw badRequest('parameter_missing', 'The customer field is required.', 'customer');
  const lineItems = body.line_items ? await lineItemsOf(t, ctx, body.currency, body.line_items) : [];
  const amount = body.line_items ? lineItems.reduce((s, li) => s + li.amount * li.quantity, 0) : body.amount!;
  const data: InvoiceData = {
    type: body.type, description: body.description ?? null, customer: customer ?? { id: null, gstin: null, billing_address: null, shipping_address: null },
    line_items: lineItems, amount, currency: body.currency, amount_paid: 0, payment_id: null, receipt: body.receipt ?? null, invoice_number: body.invoice_number ?? null,
    expire_by: body.expire_by ?? null, date: body.date ?? null, terms: body.terms ?? null, comment: body.comment ?? null, notes: body.notes ?? {},
    sms_notify: body.sms_notify ?? true, email_notify: body.email_notify ?? true, callback_url: body.callback_url ?? null, callback_method: body.callback_method ?? null,
    short_url: null, issued_at: null, paid_at: null, cancelled_at: null, expired_at: null, partial_payment: body.partial_payment ?? false,
  };
  const draft = await insertObject<InvoiceData>(t, { id: newId('rzpInvoice'), tenantId: ctx.tenant.id, kind: 'invoice', status: 'draft', customerId: customer?.id ?? null, data: { ...data } });
  return body.draft ? draft : issue(t, svc, ctx, baseUrl, draft);
}

const lockInvoice = (t: Tx, ctx: Ctx, id: string) => getObject<InvoiceData>(t, ctx.tenant.id, 'invoice', id, { lock: true, what: 'invoice' });
const OPEN = new Set(['issued', 'partially_paid']);

/**
 * The paymentMoved hook's part: a payment on the invoice's order pays it, or with partial_payment
 * pays part of it (partially_paid, invoice.partially_paid) until its payments add up to the amount.
 */
export async function invoicePaid(t: Tx, svc: PaymentServices, ctx: Ctx, i: DbInvoice, p: DbPayment): Promise<void> {
  if (!OPEN.has(i.status!)) return;
  const amountPaid = i.data.amount_paid + Number(p.amount_captured);
  const status = amountPaid >= i.data.amount ? 'paid' : 'partially_paid';
  const paid = await updateObject<InvoiceData>(t, i.id, {
    status, data: { ...i.data, amount_paid: amountPaid, payment_id: p.id, paid_at: status === 'paid' ? clockUnix(ctx) : null },
  });
  const order = await getOrder(t, ctx.tenant.id, i.order_id!);
  raiseOwn(t, svc, ctx, `invoice.${status}`, i.id, { payment: rzpPaymentRow(p), order: rzpOrderRow(order), invoice: rzpInvoice(paid) });
}

/** The expiry job's part. */
export async function invoiceExpired(t: Tx, svc: PaymentServices, ctx: Ctx, i: DbInvoice): Promise<void> {
  if (!OPEN.has(i.status!) || i.data.expire_by === null || i.data.expire_by > clockUnix(ctx)) return;
  const expired = await updateObject<InvoiceData>(t, i.id, { status: 'expired', data: { ...i.data, expired_at: clockUnix(ctx) } });
  await expireOrderSessions(t, svc, ctx, i.order_id!);
  raiseOwn(t, svc, ctx, 'invoice.expired', i.id, { invoice: rzpInvoice(expired) });
}

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const invoice = byId('rzpInvoice', 'invoice');
const listInvoicesQuery = ownListQuery({
  type: z.enum(['invoice', 'link']).optional(), payment_id: z.string().max(40).optional(), receipt: z.string().max(40).optional(), customer_id: z.string().max(40).optional(),
});
const EXAMPLE = { type: 'invoice', customer: { name: 'Gaurav', email: 'gaurav@example.com' }, line_items: [{ name: 'Book', amount: 20000, currency: 'INR', quantity: 1 }] };

export const invoiceRoutes = [
  route({
    ...base, method: 'post', path: '/v1/invoices', write: true, summary: 'Create an invoice (Razorpay)',
    description: 'Issued at once (its `short_url` opens a Sandpay hosted checkout), or a draft with `draft: "1"` until POST /v1/invoices/:id/issue.',
    body: createInvoiceBody, response: rzpInvoiceObject, example: EXAMPLE,
    handler: async ({ t, svc, ctx, body, baseUrl }) => rzpInvoice(await createInvoice(t, svc, ctx, baseUrl, body)),
  }),
  route({
    ...base, method: 'get', path: '/v1/invoices', summary: 'All invoices (Razorpay)', query: listInvoicesQuery, response: collectionOf(rzpInvoiceObject),
    handler: async ({ db, ctx, query: q }) => {
      let items: Array<ReturnType<typeof rzpInvoice>>;
      if (q.payment_id !== undefined) {
        const p = await getPayment(db, ctx.tenant.id, q.payment_id).catch(() => null);
        const i = p?.order_id ? await objectOfOrder<InvoiceData>(db, ctx.tenant.id, p.order_id, 'invoice') : undefined;
        items = i ? [rzpInvoice(i)] : [];
      } else {
        items = (await listObjects<InvoiceData, DbInvoice>(db, ctx.tenant.id, 'invoice', q, (i) => i, { customer_id: q.customer_id }))
          .filter((i) => (q.type === undefined || i.data.type === q.type) && (q.receipt === undefined || i.data.receipt === q.receipt))
          .map(rzpInvoice);
      }
      return { entity: 'collection' as const, count: items.length, items };
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/invoices/:id', summary: 'Fetch an invoice (Razorpay)', params: invoice, response: rzpInvoiceObject,
    handler: async ({ db, ctx, params: p }) => rzpInvoice(await getObject<InvoiceData>(db, ctx.tenant.id, 'invoice', p.id, { what: 'invoice' })),
  }),
  route({
    ...base, method: 'patch', path: '/v1/invoices/:id', write: true, summary: 'Edit an invoice (Razorpay: a draft wholly; an issued one its notes, terms, comment, receipt and expire_by)',
    params: invoice, body: editInvoiceBody, response: rzpInvoiceObject, example: { notes: { po: '77' }, terms: 'Net 15' },
    handler: async ({ t, svc, ctx, params: p, body }) => {
      const i = await lockInvoice(t, ctx, p.id);
      const draft = i.status === 'draft';
      if (!draft && !OPEN.has(i.status!)) throw stateError('invoice_not_editable', `Invoice cannot be updated as it is in ${i.status} state`);
      assertFuture(ctx, body.expire_by, 'expire_by');
      const draftOnly = (['customer_id', 'customer', 'line_items', 'description', 'invoice_number', 'date', 'partial_payment'] as const).find((f) => body[f] !== undefined);
      if (!draft && draftOnly) throw badRequest('invoice_not_draft', `${draftOnly} can only be changed while the invoice is a draft`, draftOnly);
      const customer = body.customer_id !== undefined || body.customer !== undefined ? await customerOf(t, ctx, body) : null;
      const lineItems = body.line_items ? await lineItemsOf(t, ctx, i.data.currency, body.line_items) : null;
      const data: InvoiceData = {
        ...i.data,
        ...(customer ? { customer } : {}),
        ...(lineItems ? { line_items: lineItems, amount: lineItems.reduce((s, li) => s + li.amount * li.quantity, 0) } : {}),
        description: body.description ?? i.data.description, expire_by: body.expire_by ?? i.data.expire_by, date: body.date ?? i.data.date,
        terms: body.terms ?? i.data.terms, comment: body.comment ?? i.data.comment, receipt: body.receipt ?? i.data.receipt,
        invoice_number: body.invoice_number ?? i.data.invoice_number, notes: body.notes ?? i.data.notes, sms_notify: body.sms_notify ?? i.data.sms_notify,
        email_notify: body.email_notify ?? i.data.email_notify, partial_payment: body.partial_payment ?? i.data.partial_payment ?? false, callback_url: body.callback_url ?? i.data.callback_url, callback_method: body.callback_method ?? i.data.callback_method,
      };
      if (!draft && body.expire_by !== undefined) await scheduleExpiry(t, svc, ctx, i.id, body.expire_by);
      return rzpInvoice(await updateObject<InvoiceData>(t, i.id, { data: { ...data } }));
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/invoices/:id/issue', write: true, summary: 'Issue a draft invoice (Razorpay)', params: invoice, response: rzpInvoiceObject,
    handler: async ({ t, svc, ctx, params: p, baseUrl }) => {
      const i = await lockInvoice(t, ctx, p.id);
      if (i.status !== 'draft') throw stateError('invoice_not_draft', `Invoice cannot be issued as it is in ${i.status} state`);
      if (i.data.customer.id === null && !i.data.customer.email && !i.data.customer.contact && i.data.type === 'invoice') {
        throw badRequest('parameter_missing', 'The customer field is required.', 'customer');
      }
      return rzpInvoice(await issue(t, svc, ctx, baseUrl, i));
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/invoices/:id/cancel', write: true, summary: 'Cancel an issued invoice (Razorpay)', params: invoice, response: rzpInvoiceObject,
    handler: async ({ t, svc, ctx, params: p }) => {
      const i = await lockInvoice(t, ctx, p.id);
      if (!OPEN.has(i.status!)) throw stateError('invoice_not_cancellable', `Invoice cannot be cancelled as it is in ${i.status} state`);
      // A checkout already open for it can no longer pay it.
      await expireOrderSessions(t, svc, ctx, i.order_id!);
      return rzpInvoice(await updateObject<InvoiceData>(t, i.id, { status: 'cancelled', data: { ...i.data, cancelled_at: clockUnix(ctx) } }));
    },
  }),
  route({
    ...base, method: 'delete', path: '/v1/invoices/:id', write: true, summary: 'Delete a draft invoice (Razorpay: answers [])', params: invoice, response: z.array(z.never()).max(0),
    handler: async ({ t, ctx, params: p }) => {
      const i = await lockInvoice(t, ctx, p.id);
      if (i.status !== 'draft') throw stateError('invoice_not_draft', `Invoice cannot be deleted as it is in ${i.status} state`);
      await deleteObject(t, i.id);
      return [];
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/invoices/:id/notify_by/:medium', write: true, summary: 'Send an invoice again by SMS or email (Razorpay: nothing is sent)',
    params: z.strictObject({ id: invoice.shape.id, medium: z.enum(['sms', 'email'], { error: 'medium must be sms or email' }) }), response: z.strictObject({ success: z.boolean() }),
    handler: async ({ t, ctx, params: p }) => {
      const i = await lockInvoice(t, ctx, p.id);
      if (!OPEN.has(i.status!)) throw stateError('invoice_not_issued', `Notification cannot be sent as the invoice is in ${i.status} state`);
      return { success: true };
    },
  }),
];

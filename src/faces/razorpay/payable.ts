import type { Response } from 'express';
import { z } from 'zod';
import { esc, renderProblemPage } from '../../checkout/page.ts';
import { createSession } from '../../checkout/sessions.ts';
import { listSessions, saveCardCustomerOf } from '../../checkout/store.ts';
import type { Tx } from '../../db/pool.ts';
import type { JobDefinition } from '../../jobs/workers.ts';
import type { PaymentMoved, PaymentServices } from '../../payments/services.ts';
import { route, type RawReply } from '../../routing/route.ts';
import type { Ctx, Services } from '../../services.ts';
import { clockNow, type ClockWork } from '../../tenants/clock.ts';
import { asOwner, atTenantTime } from '../../tenants/tenants.ts';
import { RAZORPAY_EXPIRE } from './expiry.ts';
import { invoiceExpired, invoicePaid, type DbInvoice, type InvoiceData } from './invoices.ts';
import { linkCallbackUrl, linkExpired, linkPaid, type DbLink, type LinkData } from './payment-links.ts';
import { razorpayKeySecret } from './keys.ts';
import { qrCredited, qrExpired, rzpQr, type DbQr, type QrData } from './qr-codes.ts';
import { settlementJobs } from './settlements.ts';
import { saveCardOfPayment } from './tokens.ts';
import { vaCredited, vaExpired, type VaData } from './virtual-accounts.ts';
import { getAnyObject, lockObjectOfOrder, objectOwner, objectsDueBy, type DbObject } from './store.ts';

/**
 * What makes payment links, invoices, QR codes and virtual accounts move: the paymentMoved hook
 * (a captured payment on their order pays or credits them; a checkout's card is saved), the
 * expiry job (expire_by / close_by) beside the daily settlement run, and the hosted pages behind
 * their short_url / image_url.
 */

/**
 * Wired in src/wiring.ts, before checkout completes the order's sessions: a card payment that
 * gets through saves its card when its checkout asked to (one look-up of the order's open
 * sessions), and a captured payment pays the link, invoice or QR code its order was made for (one
 * indexed look-up per captured payment that has an order).
 */
export const razorpayPaymentMoved: PaymentMoved = async (t, svc, ctx, payment, to) => {
  if (!payment.order_id) return;
  if (payment.method === 'card' && (to === 'authorized' || to === 'success')) {
    const customerId = await saveCardCustomerOf(t, ctx.tenant.id, payment.order_id);
    if (customerId) await saveCardOfPayment(t, ctx, customerId, payment);
  }
  if (to !== 'success') return;
  const o = await lockObjectOfOrder(t, ctx.tenant.id, payment.order_id);
  if (!o) return;
  if (o.kind === 'payment_link') await linkPaid(t, svc, ctx, o as DbLink, payment);
  else if (o.kind === 'invoice') await invoicePaid(t, svc, ctx, o as DbInvoice, payment);
  else if (o.kind === 'qr_payment') await qrCredited(t, svc, ctx, (o as DbObject<{ qr_code_id: string }>).data.qr_code_id, payment);
  else if (o.kind === 'va_payment') await vaCredited(t, svc, ctx, (o as DbObject<{ virtual_account_id: string }>).data.virtual_account_id, payment);
};

async function expire(t: Tx, svc: PaymentServices, ctx: Ctx, id: string): Promise<void> {
  const o = await getAnyObject(t, ctx.tenant.id, id);
  if (o?.kind === 'payment_link') await linkExpired(t, svc, ctx, o as unknown as DbObject<LinkData>);
  else if (o?.kind === 'invoice') await invoiceExpired(t, svc, ctx, o as unknown as DbObject<InvoiceData>);
  else if (o?.kind === 'qr_code') await qrExpired(t, svc, ctx, o as unknown as DbObject<QrData>);
  else if (o?.kind === 'virtual_account') await vaExpired(t, svc, ctx, o as unknown as DbObject<VaData>);
}

/** Listed in src/wiring.ts with every capability's jobs. */
export function razorpayJobs(svc: PaymentServices): JobDefinition[] {
  return [...settlementJobs(svc), {
    queue: RAZORPAY_EXPIRE,
    concurrency: 1,
    each: ({ id }: { id: string }) => asOwner(svc, (t) => objectOwner(t, id), (t, ctx) => expire(t, svc, ctx, id)),
  }];
}

const BATCH = 100;

/**
 * On a tenant's clock (README, "Time travel"), links and invoices expire at expire_by and QR codes
 * and virtual accounts close at close_by when an advance passes it, in time order with the rest
 * of the advance's work: the same expire as the job's, its clock reading the moment. The job due
 * in real time later finds the object expired or closed and leaves it.
 */
export function razorpayExpiryClockWork(svc: PaymentServices): ClockWork {
  return {
    name: 'razorpay expiry',
    async nextDue(db, tenantId, upTo) {
      return (await objectsDueBy(db, tenantId, upTo, 1))[0]?.due ?? null;
    },
    async runDue(tenantId, at) {
      // Until none is left (more than a batch may share a moment); an id seen twice would be a bug, not to loop on.
      const seen = new Set<string>();
      for (;;) {
        const due = (await objectsDueBy(svc.db, tenantId, at, BATCH)).filter(({ id }) => !seen.has(id));
        if (due.length === 0) return;
        for (const { id } of due) {
          seen.add(id);
          await atTenantTime(svc, tenantId, at, async (t, ctx) => {
            await expire(t, svc, ctx, id);
          });
        }
      }
    },
  };
}

type Outcome = { redirect: string } | { status: number; title: string; text: string } | { qr: DbQr };

const UNPAYABLE: Record<string, string> = {
  paid: 'has been paid', cancelled: 'has been cancelled', expired: 'has expired', draft: 'has not been issued yet', closed: 'is closed',
};

/** The checkout for a link's or invoice's order: its open session, or a new one. */
async function openCheckout(t: Tx, svc: Services, ctx: Ctx, o: DbObject, baseUrl: string): Promise<Outcome> {
  const what = o.kind === 'invoice' ? 'invoice' : 'payment link';
  const open = o.kind === 'invoice' ? ['issued', 'partially_paid'] : ['created', 'partially_paid'];
  if (!open.includes(o.status!)) return { status: 410, title: `This ${what} ${UNPAYABLE[o.status!] ?? 'cannot be paid'}`, text: 'Nothing is due here. Return to the merchant.' };
  const [live] = (await listSessions(t, ctx.tenant.id, { status: 'open', orderId: o.order_id! }, { limit: 10 }, (s) => s)).data.filter((s) => s.expires_at.getTime() > clockNow(ctx.tenant).getTime() + 60_000);
  if (live) return { redirect: live.url };
  const d = o.data as Partial<LinkData & InvoiceData>;
  const payer = (o.kind === 'invoice' ? (d as InvoiceData).customer : (d as LinkData).customer) ?? {};
  const prefill = Object.fromEntries(Object.entries({ name: payer.name, email: payer.email?.toLowerCase(), contact: payer.contact }).filter(([, v]) => v));
  const s = await createSession(t, svc, ctx, {
    // A session's description holds 500 characters; Razorpay's 2048.
    order_id: o.order_id!, description: d.description ? d.description.slice(0, 500) : undefined, prefill,
    // A link's callback goes through /i/:id/return, which adds Razorpay's signed parameters; an invoice's straight to its callback_url.
    ...(d.callback_url ? { success_url: o.kind === 'payment_link' ? `${baseUrl}/i/${o.id}/return` : d.callback_url } : {}),
    ...(d.upi_link ? { methods: ['upi' as const] } : {}),
  }, { keyType: 'secret', origin: null, baseUrl });
  return { redirect: s.url };
}

function sendPage(res: Response, status: number, html: string): void {
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'");
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.status(status).type('html').send(html);
}

/** A QR code's page: no image, the UPI intent it encodes and how to pay it in the sandbox. */
function qrPage(q: DbQr): string {
  const e = rzpQr(q);
  const amount = e.payment_amount ? ` for ₹${(e.payment_amount / 100).toFixed(2)}` : '';
  return renderProblemPage(`${e.name ?? 'UPI QR code'}${amount}`, `UPI intent: ${e.image_content}`)
    .replace('</main>', `<p>Status: ${esc(e.status)}. In the sandbox, pay it with <code>POST /v1/payments/qr_codes/${esc(e.id)}/pay</code>.</p></main>`);
}

export const hostedRoutes = [
  route({
    method: 'get', path: '/i/:id', auth: 'none', rateLimit: 'ip', tag: 'Razorpay', summary: "A Razorpay payment link's, invoice's or QR code's hosted page (short_url, image_url)",
    description: 'A link or invoice redirects (303) to a Sandpay hosted checkout for its order (its open session, or a new one); a QR code shows its UPI intent.',
    params: z.strictObject({ id: z.string().max(100) }), response: z.string(), produces: 'text/html', errors: [404, 410],
    handler: async ({ svc, params: p, baseUrl }) => ({
      raw: async (res) => {
        let outcome = { status: 404, title: 'Link not found', text: 'This link is not valid. Return to the merchant and ask for a new one.' } as Outcome;
        await asOwner(svc, (t) => objectOwner(t, p.id), async (t, ctx) => {
          const o = await getAnyObject(t, ctx.tenant.id, p.id);
          if (!o) return;
          if (o.kind === 'qr_code') outcome = { qr: o as unknown as DbQr };
          else if (o.kind === 'payment_link' || o.kind === 'invoice') outcome = await openCheckout(t, svc, ctx, o, baseUrl);
        });
        if ('redirect' in outcome) res.redirect(303, outcome.redirect);
        else if ('qr' in outcome) sendPage(res, 200, qrPage(outcome.qr));
        else sendPage(res, outcome.status, renderProblemPage(outcome.title, outcome.text));
      },
    }) satisfies RawReply,
  }),
  route({
    method: 'get', path: '/i/:id/return', auth: 'none', rateLimit: 'ip', tag: 'Razorpay', summary: "Back from a payment link's hosted checkout: on to its callback_url, signed",
    description: "The hosted checkout's success_url for a link with a callback_url: redirects (303) there with razorpay_payment_id, razorpay_payment_link_id, _reference_id, _status and razorpay_signature.",
    params: z.strictObject({ id: z.string().max(100) }), query: z.looseObject({ payment_id: z.string().max(100).optional() }), response: z.string(), produces: 'text/html', errors: [404, 409],
    handler: async ({ svc, params: p, query: q }) => ({
      raw: async (res) => {
        let target: string | null = null;
        await asOwner(svc, (t) => objectOwner(t, p.id), async (t, ctx) => {
          const o = await getAnyObject(t, ctx.tenant.id, p.id);
          const l = o?.kind === 'payment_link' ? (o as unknown as DbLink) : null;
          const secret = l?.data.key_row_id ? await razorpayKeySecret(t, svc.keys, ctx.tenant.id, l.data.key_row_id) : null;
          if (l && secret && q.payment_id) target = linkCallbackUrl(l, q.payment_id, secret);
        });
        if (target) res.redirect(303, target);
        else sendPage(res, 409, renderProblemPage('Payment not confirmed', 'This link has no payment to confirm yet. Return to the merchant.'));
      },
    }) satisfies RawReply,
  }),
];

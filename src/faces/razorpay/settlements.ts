import { createHash } from 'node:crypto';
import { z } from 'zod';
import { notFound } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { QUEUES } from '../../jobs/boss.ts';
import type { JobDefinition, Queue } from '../../jobs/workers.ts';
import type { PaymentServices } from '../../payments/services.ts';
import { captureDays, paymentsCapturedBetween, tenantsCapturingBetween } from '../../payments/store.ts';
import { refundDays, refundsProcessedBetween, tenantsRefundingBetween } from '../../refunds/store.ts';
import { clockNow, type ClockWork } from '../../tenants/clock.ts';
import { asOwner, atTenantTime } from '../../tenants/tenants.ts';
import type { Ctx } from '../../tenants/types.ts';
import { route } from '../../routing/route.ts';
import { collection, rzpPaymentRow } from './api.ts';
import { razorpayHttpFace } from './http-face.ts';
import { raiseOwn, unix } from './own-objects.ts';
import { announcedSettlementDays, claimSettlementDay } from './store.ts';
import { collectionOf, collectionQuery, COUNT_MAX } from './schemas.ts';

/**
 * Razorpay's settlements, derived from the ledger on read (nothing is stored, so they can never
 * disagree with it). Sandpay settles daily, T+0, by the India day (IST, UTC+05:30): each day with
 * captured payments or processed refunds has one settlement, of that day's captures minus their
 * fee and tax (read from the payment entity, so Razorpay's fees show once the face computes them)
 * minus that day's refunds. While the day runs it is `created` and its amount still grows; from
 * 00:00 IST the next day (on the tenant's clock) it is `processed`, with a UTR. Its
 * settlement.processed webhook goes out once per tenant and day (razorpay_settlement_runs): at
 * 00:05 IST in real time, or when a clock advance passes 00:05 IST of the next day.
 */

const TZ = 'Asia/Kolkata';
const IST_OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;

/** The instant an IST day (YYYY-MM-DD) starts. */
const dayStart = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - IST_OFFSET_MS);

/** A stable id per tenant and day (setl_ + 14 base62 characters, Razorpay's length), and a 12-digit UTR. */
function digest(tenantId: string, day: string): Buffer {
  return createHash('sha256').update(`razorpay-settlement:${tenantId}:${day}`).digest();
}
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const settlementId = (tenantId: string, day: string) => `setl_${[...digest(tenantId, day).subarray(0, 14)].map((b) => ALPHABET[b % 62]).join('')}`;
const utrOf = (tenantId: string, day: string) => digest(tenantId, day).readBigUInt64BE(16).toString().padStart(12, '0').slice(-12);

export const rzpSettlementObject = z
  .strictObject({
    id: z.string(), entity: z.literal('settlement'), amount: z.number().int(), status: z.enum(['created', 'processed']), fees: z.number().int(),
    tax: z.number().int(), utr: z.string().nullable(), created_at: z.number().int(),
  })
  .meta({ id: 'RazorpaySettlement' });
type RzpSettlement = z.output<typeof rzpSettlementObject>;

interface ReconItem {
  entity_id: string; type: 'payment' | 'refund'; debit: number; credit: number; amount: number; currency: string; fee: number; tax: number; on_hold: boolean;
  settled: boolean; created_at: number; settled_at: number | null; settlement_id: string; settlement_utr: string | null; posted_at: number | null;
  credit_type: string; description: string | null; notes: unknown; payment_id: string | null; order_id: string | null; order_receipt: null; method: string | null;
  card_network: string | null; card_issuer: null; card_type: string | null; dispute_id: null;
}

/** One day's settlement and the payments and refunds it settles. */
async function settleDay(db: Queryable, tenantId: string, day: string, now: Date): Promise<{ settlement: RzpSettlement; items: ReconItem[] }> {
  const from = dayStart(day);
  const to = new Date(from.getTime() + DAY_MS);
  const [payments, refunds] = await Promise.all([paymentsCapturedBetween(db, tenantId, from, to), refundsProcessedBetween(db, tenantId, from, to)]);
  // Processed once the day has ended on the tenant's clock.
  const processed = now.getTime() >= to.getTime();
  const id = settlementId(tenantId, day);
  const utr = processed ? utrOf(tenantId, day) : null;
  const common = { on_hold: false, settled: processed, settled_at: processed ? unix(to) : null, settlement_id: id, settlement_utr: utr, posted_at: processed ? unix(to) : null, credit_type: 'default', order_receipt: null, card_issuer: null, dispute_id: null };
  const items: ReconItem[] = [];
  let fees = 0;
  let tax = 0;
  let amount = 0;
  for (const p of payments) {
    const e = rzpPaymentRow(p);
    const fee = e.fee ?? 0;
    const t = e.tax ?? 0;
    fees += fee;
    tax += t;
    amount += Number(p.amount_captured) - fee;
    items.push({
      ...common, entity_id: p.id, type: 'payment', debit: 0, credit: Number(p.amount_captured) - fee, amount: Number(p.amount_captured), currency: p.currency, fee, tax,
      created_at: unix(p.captured_at!), description: p.description, notes: e.notes, payment_id: p.id, order_id: p.order_id, method: p.method,
      card_network: e.card?.network ?? null, card_type: e.card?.type ?? null,
    });
  }
  for (const r of refunds) {
    amount -= Number(r.amount);
    items.push({
      ...common, entity_id: r.id, type: 'refund', debit: Number(r.amount), credit: 0, amount: Number(r.amount), currency: r.currency, fee: 0, tax: 0,
      created_at: unix(r.processed_at!), description: null, notes: Object.keys(r.metadata).length ? r.metadata : [], payment_id: r.payment_id, order_id: null, method: null,
      card_network: null, card_type: null,
    });
  }
  // Razorpay's fee includes its tax: the amount settled is captures minus fees (tax within them) minus refunds.
  return { settlement: { id, entity: 'settlement', amount, status: processed ? 'processed' : 'created', fees, tax, utr, created_at: unix(from) }, items };
}

/** The IST days that have a settlement, newest first. */
async function settlementDays(db: Queryable, tenantId: string): Promise<string[]> {
  const [c, r] = await Promise.all([captureDays(db, tenantId, TZ), refundDays(db, tenantId, TZ)]);
  return [...new Set([...c, ...r].map((d) => d.day))].sort().reverse();
}

/** The IST day before the one `now` is in (YYYY-MM-DD): the day a run at 00:05 IST settles. */
export const previousIstDay = (now = new Date()) => new Date(now.getTime() + IST_OFFSET_MS - DAY_MS).toISOString().slice(0, 10);

/** A failed run is not retried: each settlement's webhook is sent once (claimSettlementDay). */
export const RAZORPAY_SETTLE: Queue = { name: QUEUES.razorpaySettle, options: { retryLimit: 0 } };

/**
 * The day's settlement.processed, with the settlement as it is at the context's clock, unless the
 * tenant was sent it already (by the real-time run or a clock advance, whichever came first).
 */
async function announceDay(t: Tx, svc: PaymentServices, ctx: Ctx, day: string): Promise<void> {
  if (!(await claimSettlementDay(t, ctx.tenant.id, day))) return;
  const { settlement } = await settleDay(t, ctx.tenant.id, day, clockNow(ctx.tenant));
  raiseOwn(t, svc, ctx, 'settlement.processed', settlement.id, { settlement });
}

/**
 * settlement.processed, as Razorpay sends it when a settlement is paid out: at 00:05 IST (18:35
 * UTC) every tenant with a settlement for the day that just ended gets it, with the settlement.
 * `day` (YYYY-MM-DD) runs it for another day.
 */
export async function announceSettlements(svc: PaymentServices, day = previousIstDay()): Promise<void> {
  const from = dayStart(day);
  const to = new Date(from.getTime() + DAY_MS);
  const [c, r] = await Promise.all([tenantsCapturingBetween(svc.db, from, to), tenantsRefundingBetween(svc.db, from, to)]);
  for (const tenantId of new Set([...c, ...r].map((x) => x.tenant_id))) {
    await asOwner(svc, async () => ({ tenant_id: tenantId }), (t, ctx) => announceDay(t, svc, ctx, day));
  }
}

/** When a day's settlement.processed is due: 00:05 IST the next day, as the real-time run sends it. */
const announceDueOf = (day: string) => new Date(dayStart(day).getTime() + DAY_MS + 5 * 60_000);

/** The tenant's days with a settlement not yet announced that are due at or before `by`, oldest first. */
async function daysToAnnounce(db: Queryable, tenantId: string, by: Date): Promise<string[]> {
  const [days, announced] = await Promise.all([settlementDays(db, tenantId), announcedSettlementDays(db, tenantId)]);
  return days.filter((d) => !announced.has(d) && announceDueOf(d) <= by).reverse();
}

/**
 * On a tenant's clock (README, "Time travel"), each day an advance passes gets its
 * settlement.processed at 00:05 IST the next day, dated then, in time order with the rest of the
 * advance's work; a day announced already (in real time, or by an earlier advance) is not again.
 */
export function settlementClockWork(svc: PaymentServices): ClockWork {
  return {
    name: 'razorpay settlements',
    async nextDue(db, tenantId, upTo) {
      const [first] = await daysToAnnounce(db, tenantId, upTo);
      return first === undefined ? null : announceDueOf(first);
    },
    async runDue(tenantId, at) {
      for (const day of await daysToAnnounce(svc.db, tenantId, at)) {
        await atTenantTime(svc, tenantId, at, async (t, ctx) => {
          await announceDay(t, svc, ctx, day);
        });
      }
    },
  };
}

export function settlementJobs(svc: PaymentServices): JobDefinition[] {
  return [{ queue: RAZORPAY_SETTLE, concurrency: 1, cron: '35 18 * * *', each: async (data: { day?: string } | undefined) => announceSettlements(svc, data?.day) }];
}

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const reconQuery = z.strictObject({
  year: z.coerce.number({ error: 'The year field is required.' }).int().min(2000).max(2100),
  month: z.coerce.number({ error: 'The month field is required.' }).int().min(1).max(12),
  day: z.coerce.number().int().min(1).max(31).optional(),
  count: z.coerce.number().int().min(1).max(COUNT_MAX).default(10),
  skip: z.coerce.number().int().min(0).max(10_000).default(0),
});
const reconItemObject = z.record(z.string(), z.unknown());
const two = (n: number) => String(n).padStart(2, '0');

export const settlementRoutes = [
  route({
    ...base, method: 'get', path: '/v1/settlements', summary: 'All settlements (Razorpay: one per IST day, derived from captures and refunds)',
    query: collectionQuery, response: collectionOf(rzpSettlementObject),
    handler: async ({ db, ctx, query: q }) => {
      const days = (await settlementDays(db, ctx.tenant.id)).filter((d) => {
        const start = dayStart(d).getTime();
        return (q.from === undefined || start + DAY_MS > q.from.getTime()) && (q.to === undefined || start <= q.to.getTime());
      });
      const page = days.slice(q.skip, q.skip + q.count);
      return collection(await Promise.all(page.map(async (d) => (await settleDay(db, ctx.tenant.id, d, clockNow(ctx.tenant))).settlement)));
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/settlements/recon/combined', summary: "Settlement recon: a month's (or a day's) settled payments and refunds (Razorpay)",
    query: reconQuery, response: collectionOf(reconItemObject),
    handler: async ({ db, ctx, query: q }) => {
      const prefix = `${q.year}-${two(q.month)}${q.day === undefined ? '' : `-${two(q.day)}`}`;
      const days = (await settlementDays(db, ctx.tenant.id)).filter((d) => d.startsWith(prefix)).reverse();
      const items = (await Promise.all(days.map((d) => settleDay(db, ctx.tenant.id, d, clockNow(ctx.tenant))))).flatMap((s) => s.items);
      return collection(items.slice(q.skip, q.skip + q.count));
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/settlements/:id', summary: 'Fetch a settlement (Razorpay)',
    params: z.strictObject({ id: z.string().regex(/^setl_[0-9A-Za-z]{14}$/, 'The id provided does not exist') }), response: rzpSettlementObject,
    handler: async ({ db, ctx, params: p }) => {
      const day = (await settlementDays(db, ctx.tenant.id)).find((d) => settlementId(ctx.tenant.id, d) === p.id);
      if (!day) throw notFound('settlement');
      return (await settleDay(db, ctx.tenant.id, day, clockNow(ctx.tenant))).settlement;
    },
  }),
];

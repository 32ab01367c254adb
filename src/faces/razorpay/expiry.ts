import { badRequest } from '../../core/errors.ts';
import type { Tx } from '../../db/pool.ts';
import { enqueue } from '../../jobs/enqueue.ts';
import { QUEUES } from '../../jobs/boss.ts';
import type { Queue } from '../../jobs/workers.ts';
import { clockNow, realTimeOf } from '../../tenants/clock.ts';
import type { Ctx } from '../../tenants/types.ts';
import type { OutboxServices } from '../../webhooks/outbox.ts';

/**
 * Payment links, invoices, QR codes and virtual accounts end at their expire_by / close_by, a
 * time on the tenant's clock (README, "Time travel"): one job each, due at the real moment the
 * clock reads it (payable.ts's razorpayJobs runs it), and an advance of the clock runs what it
 * passes (payable.ts's razorpayExpiryClockWork). A run finds the object already paid, cancelled,
 * closed or expired and leaves it, and an edit that moves the date adds a job for the new one.
 */
export const RAZORPAY_EXPIRE: Queue = { name: QUEUES.razorpayExpire, options: { retryLimit: 5, retryDelay: 1, retryBackoff: true } };

export async function scheduleExpiry(t: Tx, svc: Pick<OutboxServices, 'boss'>, ctx: Ctx, id: string, atUnix: number | null | undefined): Promise<void> {
  if (atUnix === null || atUnix === undefined) return;
  await enqueue(t, svc.boss, RAZORPAY_EXPIRE, [{ data: { id }, startAfter: realTimeOf(ctx.tenant, new Date(atUnix * 1000)) }]);
}

/** Where a link's or invoice's hosted page is (Razorpay's rzp.io short link). */
export const shortUrlOf = (baseUrl: string, id: string) => `${baseUrl}/i/${id}`;

/** Now on the tenant's clock, in unix seconds: every timestamp the face writes into its objects' data. */
export const clockUnix = (ctx: Pick<Ctx, 'tenant'>) => Math.floor(clockNow(ctx.tenant).getTime() / 1000);

/**
 * An expire_by / close_by must lie ahead on the tenant's clock (checked in the handler: a schema
 * does not know the tenant). Razorpay refuses one less than 15 minutes away; Sandpay takes
 * anything in the future, so tests need not wait.
 */
export function assertFuture(ctx: Pick<Ctx, 'tenant'>, atUnix: number | undefined, field: 'expire_by' | 'close_by'): void {
  if (atUnix !== undefined && atUnix <= clockUnix(ctx)) throw badRequest('parameter_invalid', `${field} must be in the future`, field);
}

import type { Tx } from '../../db/pool.ts';
import { enqueue } from '../../jobs/enqueue.ts';
import { QUEUES } from '../../jobs/boss.ts';
import type { Queue } from '../../jobs/workers.ts';
import type { OutboxServices } from '../../webhooks/outbox.ts';

/**
 * Payment links, invoices and QR codes end at their expire_by / close_by: one job each, due
 * then (payable.ts's razorpayJobs runs it); a run finds the object already paid, cancelled or
 * closed and leaves it, and an edit that moves the date adds a job for the new one.
 */
export const RAZORPAY_EXPIRE: Queue = { name: QUEUES.razorpayExpire, options: { retryLimit: 5, retryDelay: 1, retryBackoff: true } };

export async function scheduleExpiry(t: Tx, svc: Pick<OutboxServices, 'boss'>, id: string, atUnix: number | null | undefined): Promise<void> {
  if (atUnix === null || atUnix === undefined) return;
  await enqueue(t, svc.boss, RAZORPAY_EXPIRE, [{ data: { id }, startAfter: new Date(atUnix * 1000) }]);
}

/** Where a link's or invoice's hosted page is (Razorpay's rzp.io short link). */
export const shortUrlOf = (baseUrl: string, id: string) => `${baseUrl}/i/${id}`;

/** Razorpay refuses an expiry less than 15 minutes away; Sandpay takes anything in the future, so tests need not wait. */
export const nowUnix = () => Math.floor(Date.now() / 1000);

import { z } from 'zod';
import type { Tx } from '../db/pool.ts';
import { auditIn } from '../audit/append.ts';
import { badRequest, conflict } from '../core/errors.ts';
import { isoTime } from '../core/schemas.ts';
import { tenantHasEvents } from '../events/store.ts';
import { QUEUES } from '../jobs/boss.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Queue } from '../jobs/workers.ts';
import { invalidateOnCommit } from '../tenants/caches.ts';
import { clockNow, clockOffsetMs, type ClockWork } from '../tenants/clock.ts';
import { finishAdvance, getTenant, lockClock, resetClock, startAdvance } from '../tenants/store.ts';
import { atTenantTime } from '../tenants/tenants.ts';
import type { Ctx, DbTenant } from '../tenants/types.ts';
import { emitEvents } from '../webhooks/outbox.ts';
import type { WebhookServices } from '../webhooks/services.ts';

/**
 * Time travel (README, "Time travel"): a tenant's clock moves forward on request, and everything
 * that falls due on the way runs in time order, as if the time had passed. Like Stripe's test
 * clocks, an advance is asynchronous: the request marks the clock `advancing` and queues a job;
 * the job runs what falls due (each capability's ClockWork, src/tenants/clock.ts, listed in
 * src/wiring.ts), then the clock reads its target, `ready`, and a test_clock.ready event goes out.
 */

/**
 * One advance at a time per tenant, each a job. A failure inside it is logged and the advance
 * still ends (runAdvance); a job lost with its worker runs again and carries on where it was
 * (what ran is no longer due). A long advance (a slow endpoint's whole retry schedule) may take
 * minutes: an hour before pg-boss calls it lost.
 */
export const TEST_CLOCK_ADVANCE: Queue = { name: QUEUES.testClockAdvance, options: { retryLimit: 2, retryDelay: 5 }, expireInSeconds: 3600 };

/** At most this many things run in one advance (a guard against work that never stops falling due). */
const MAX_STEPS = 20_000;

/** A longest single advance: ten years. */
const MAX_ADVANCE_MS = 3650 * 86_400_000;

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;

/** "3d", "90m", "45s", "1d12h": milliseconds; null when it is not such a duration. Pure. */
export function parseDuration(text: string): number | null {
  if (!/^(\d{1,7}[dhms])+$/.test(text)) return null;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([dhms])/g)) ms += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return ms;
}

export const CLOCK_STATUSES = ['ready', 'advancing'] as const;

export const clockObject = z.strictObject({
  object: z.literal('test_clock'),
  id: z.string().meta({ description: 'The tenant the clock is (ten_…): a tenant has one clock' }),
  time: isoTime.meta({ description: 'The time on the clock now (while advancing: still the time before the advance)' }),
  offset_seconds: z.number().int().meta({ description: 'How far ahead of real time the clock is (0: real time)' }),
  status: z.enum(CLOCK_STATUSES),
  advancing_to: isoTime.nullable().meta({ description: 'Where an advance in progress goes' }),
}).meta({ id: 'TestClock' });

export type ClockObject = z.output<typeof clockObject>;

export const advanceBody = z.strictObject({
  by: z.string().optional().meta({ description: 'How far: a number and a unit, d h m or s, e.g. "3d", "90m", "1d12h"' }),
  to: isoTime.optional().meta({ description: 'Or where to: an ISO 8601 time later than the clock' }),
});

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function clockView(tenant: DbTenant): ClockObject {
  return {
    object: 'test_clock',
    id: tenant.id,
    time: clockNow(tenant).toISOString(),
    offset_seconds: Math.round(clockOffsetMs(tenant) / 1000),
    status: tenant.clock_status,
    advancing_to: iso(tenant.clock_advancing_to),
  };
}

type ClockServices = Pick<WebhookServices, 'boss' | 'audit' | 'caches' | 'webhookFaces'>;

/** Where `by` or `to` takes the clock, from `now`: a clear 400 for anything but a later time. */
export function advanceTarget(now: Date, input: { by?: string | undefined; to?: string | undefined }): Date {
  if ((input.by === undefined) === (input.to === undefined)) throw badRequest('parameter_missing', 'Give exactly one of by (e.g. "3d") or to (a time)', input.by === undefined ? 'by' : 'to');
  if (input.by !== undefined) {
    const ms = parseDuration(input.by);
    if (ms === null) throw badRequest('parameter_invalid', 'Invalid by: a number and a unit (d, h, m or s), e.g. "3d", "90m", "45s"', 'by');
    if (ms === 0) throw badRequest('clock_backward', 'Invalid by: the clock only moves forward', 'by');
    if (ms > MAX_ADVANCE_MS) throw badRequest('parameter_invalid', 'Invalid by: at most 3650d in one advance', 'by');
    return new Date(now.getTime() + ms);
  }
  const to = new Date(input.to!);
  if (Number.isNaN(to.getTime())) throw badRequest('parameter_invalid', 'Invalid to: an ISO 8601 time', 'to');
  if (to <= now) throw badRequest('clock_backward', `Invalid to: the clock only moves forward, and it reads ${now.toISOString()}`, 'to');
  if (to.getTime() - now.getTime() > MAX_ADVANCE_MS) throw badRequest('parameter_invalid', 'Invalid to: at most 3650 days ahead in one advance', 'to');
  return to;
}

/**
 * Starts an advance: the clock is `advancing` and the job that runs it is queued, in this
 * transaction. Under the tenant row's lock, so of two racing advances the second sees the first's
 * and is refused (409).
 */
export async function advanceClock(t: Tx, svc: ClockServices, ctx: Ctx, input: { by?: string | undefined; to?: string | undefined }): Promise<ClockObject> {
  const tenant = await lockClock(t, ctx.tenant.id);
  if (tenant.clock_status === 'advancing') throw busy(tenant);
  const now = clockNow(tenant);
  const to = advanceTarget(now, input);
  const started = await startAdvance(t, tenant.id, to);
  if (!started) throw busy(tenant);
  invalidateOnCommit(t, svc.caches, 'auth', tenant.id);
  await enqueue(t, svc.boss, TEST_CLOCK_ADVANCE, [{ data: { tenantId: tenant.id } }]);
  auditIn(t, svc, ctx, { objectType: 'test_clock', objectId: tenant.id, action: 'test_clock.advancing', oldStatus: 'ready', newStatus: 'advancing', metadata: { from: now.toISOString(), to: to.toISOString() } });
  return clockView(started);
}

const busy = (tenant: DbTenant) =>
  conflict('clock_advancing', `The clock is already advancing to ${iso(tenant.clock_advancing_to)}; wait for status ready (GET /api/v1/test-clock)`);

/** Back to real time: only while the tenant has no event (no object the clock dated), and not while advancing. */
export async function resetTenantClock(t: Tx, svc: ClockServices, ctx: Ctx): Promise<ClockObject> {
  const tenant = await lockClock(t, ctx.tenant.id);
  if (tenant.clock_status === 'advancing') throw busy(tenant);
  if (await tenantHasEvents(t, tenant.id)) {
    throw conflict('clock_in_use', 'The clock can go back to real time only before the tenant has any object (its first event); register a new tenant for a fresh clock');
  }
  const row = await resetClock(t, tenant.id);
  invalidateOnCommit(t, svc.caches, 'auth', tenant.id);
  auditIn(t, svc, ctx, { objectType: 'test_clock', objectId: tenant.id, action: 'test_clock.reset', metadata: { offset_seconds: Math.round(clockOffsetMs(tenant) / 1000) } });
  return clockView(row);
}

/** Of the works, the one with the earliest due moment at or before `until`, and that moment. */
async function earliest(svc: Pick<WebhookServices, 'db'>, works: readonly ClockWork[], tenantId: string, until: Date): Promise<{ work: ClockWork; due: Date } | null> {
  let next: { work: ClockWork; due: Date } | null = null;
  for (const work of works) {
    const due = await work.nextDue(svc.db, tenantId, until);
    if (due && (!next || due < next.due)) next = { work, due };
  }
  return next;
}

/**
 * The advance's job: asks each capability when its next thing falls due before the target, runs
 * the earliest (its clock reading that moment, never earlier than the one before), and again,
 * until nothing falls due; then the clock reads the target. What one run makes due (a failed
 * attempt's retry) is asked for on the next turn, so it too runs in order. A failure is logged and
 * the advance still ends: a clock stuck `advancing` would refuse every later advance.
 */
export async function runAdvance(svc: WebhookServices, works: readonly ClockWork[], tenantId: string): Promise<void> {
  const tenant = await getTenant(svc.db, tenantId);
  if (!tenant || tenant.clock_status !== 'advancing' || !tenant.clock_advancing_to) return;
  const until = new Date(tenant.clock_advancing_to);
  let last = clockNow(tenant);
  let steps = 0;
  // Work that answered the same due moment again after running it: a bug, not to loop on.
  const stuck = new Set<ClockWork>();
  let previous = null as { work: ClockWork; due: number } | null;
  try {
    for (; steps < MAX_STEPS; steps++) {
      const next = await earliest(svc, works.filter((w) => !stuck.has(w)), tenantId, until);
      if (!next) break;
      if (previous?.work === next.work && previous.due === next.due.getTime()) {
        svc.log.warn({ component: 'clock', tenantId, work: next.work.name, due: next.due }, 'clock work still due after running; skipped for the rest of this advance');
        stuck.add(next.work);
        continue;
      }
      previous = { work: next.work, due: next.due.getTime() };
      // Postgres keeps microseconds, a Date milliseconds: one more millisecond covers the moment itself.
      const due = new Date(next.due.getTime() + 1);
      const at = due > last ? due : last;
      await next.work.runDue(tenantId, at, until);
      last = at;
    }
    if (steps === MAX_STEPS) svc.log.warn({ component: 'clock', tenantId, steps }, 'clock advance stopped after its step limit');
  } catch (err) {
    svc.log.error({ component: 'clock', tenantId, err }, 'clock advance failed part way; the clock still moves');
  }
  await atTenantTime(svc, tenantId, until, async (t, ctx) => {
    const ready = await finishAdvance(t, tenantId);
    if (!ready) return;
    invalidateOnCommit(t, svc.caches, 'auth', tenantId);
    const view = { ...clockView(ready), time: until.toISOString() };
    emitEvents(t, svc, ctx, [{ type: 'test_clock.ready', object: view, paymentId: null }]);
    auditIn(t, svc, ctx, { objectType: 'test_clock', objectId: tenantId, action: 'test_clock.ready', oldStatus: 'advancing', newStatus: 'ready', metadata: { to: until.toISOString(), steps } });
  });
}

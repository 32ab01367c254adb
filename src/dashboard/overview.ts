import { z } from 'zod';
import { isoTime } from '../core/schemas.ts';
import type { Queryable } from '../db/pool.ts';
import { declinesToday, paymentPeriods, paymentsPerMinute, type PaymentPeriodRow } from '../payments/store.ts';
import { refundsToday } from '../refunds/store.ts';
import { attemptsPerMinute, tenantAttemptStatsLastHour } from '../webhooks/store.ts';
import { databaseClock } from './store.ts';

/**
 * The numbers of the dashboard's home (one tenant) and the operator's overview (every tenant):
 * payments today and in the last hour, success rate, declines by code, refunds, webhook
 * delivery health, and per-minute series for the last hour. Six small aggregate queries over
 * index ranges (tenant, created_at), each asked of its table's owner, run in parallel.
 */

const MINUTES = 60;

const TIME_ZONES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

export const overviewQuery = z.strictObject({
  tz: z
    .string()
    .max(64)
    .refine((tz) => TIME_ZONES.has(tz), 'must be an IANA time zone such as Asia/Kolkata or UTC')
    .default('UTC')
    .meta({ description: 'Where "today" starts (default UTC)' }),
});

const periodObject = z.strictObject({
  count: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  success_rate: z.number().nullable().meta({ description: 'Succeeded over settled (succeeded, failed, flagged, expired); null when none settled' }),
  volume: z.record(z.string(), z.number()).meta({ description: 'Amount succeeded, in minor units, by currency' }),
});

export const overviewObject = z
  .strictObject({
    object: z.literal('overview'),
    generated_at: isoTime,
    timezone: z.string(),
    payments: z.strictObject({ today: periodObject, last_hour: periodObject }),
    declines_today: z.array(z.strictObject({ code: z.string(), count: z.number().int() })),
    refunds_today: z.strictObject({ count: z.number().int(), amount: z.record(z.string(), z.number()), by_status: z.record(z.string(), z.number().int()) }),
    webhooks_last_hour: z.strictObject({
      attempts: z.number().int(),
      succeeded: z.number().int(),
      success_rate: z.number().nullable(),
      latency_ms: z.strictObject({ p50: z.number().nullable(), p95: z.number().nullable() }),
    }),
    series: z.strictObject({
      minutes: z.array(isoTime).meta({ description: 'The start of each of the last 60 minutes, oldest first' }),
      payments_by_status: z.record(z.string(), z.array(z.number().int())),
      delivery_attempts: z.array(z.number().int()),
      delivery_failures: z.array(z.number().int()),
      delivery_p95_ms: z.array(z.number().nullable()),
    }),
  })
  .meta({ id: 'Overview' });

type Period = z.output<typeof periodObject>;

function periods(rows: PaymentPeriodRow[]): { today: Period; last_hour: Period } {
  const empty = (): Period & { bad: number } => ({ count: 0, succeeded: 0, failed: 0, pending: 0, success_rate: null, volume: {}, bad: 0 });
  const out = { today: empty(), last_hour: empty() };
  for (const r of rows) {
    const p = out[r.period];
    p.count += Number(r.count);
    p.succeeded += Number(r.succeeded);
    p.bad += Number(r.bad);
    p.pending += Number(r.pending);
    if (r.currency && Number(r.volume) > 0) p.volume[r.currency] = Number(r.volume);
  }
  const done = ({ bad, ...p }: Period & { bad: number }): Period => ({ ...p, failed: bad, success_rate: p.succeeded + bad > 0 ? p.succeeded / (p.succeeded + bad) : null });
  return { today: done(out.today), last_hour: done(out.last_hour) };
}

/** `tenantId` null: every tenant (the operator's view). */
export async function overview(db: Queryable, tenantId: string | null, tz: string): Promise<z.output<typeof overviewObject>> {
  const [periodRows, declines, refunds, hooks, paySeries, hookSeries, clock] = await Promise.all([
    paymentPeriods(db, tenantId, tz),
    declinesToday(db, tenantId, tz),
    refundsToday(db, tenantId, tz),
    tenantAttemptStatsLastHour(db, tenantId),
    paymentsPerMinute(db, tenantId, MINUTES),
    attemptsPerMinute(db, tenantId, MINUTES),
    databaseClock(db),
  ]);

  const first = clock.minute.getTime() - (MINUTES - 1) * 60_000;
  const slot = (d: Date) => Math.round((d.getTime() - first) / 60_000);
  const zeros = () => Array.from({ length: MINUTES }, () => 0);
  const byStatus: Record<string, number[]> = {};
  for (const r of paySeries) {
    const i = slot(r.minute);
    if (i >= 0 && i < MINUTES) (byStatus[r.status] ??= zeros())[i] = Number(r.count);
  }
  const attempts = zeros();
  const failures = zeros();
  const p95: Array<number | null> = Array.from({ length: MINUTES }, () => null);
  for (const r of hookSeries) {
    const i = slot(r.minute);
    if (i < 0 || i >= MINUTES) continue;
    attempts[i] = Number(r.attempts);
    failures[i] = Number(r.failed);
    p95[i] = r.p95 === null ? null : Math.round(r.p95 * 10) / 10;
  }
  const refundAmount: Record<string, number> = {};
  const refundStatus: Record<string, number> = {};
  let refundCount = 0;
  for (const r of refunds) {
    refundCount += Number(r.count);
    refundAmount[r.currency] = (refundAmount[r.currency] ?? 0) + Number(r.amount);
    refundStatus[r.status] = (refundStatus[r.status] ?? 0) + Number(r.count);
  }
  const hookAttempts = Number(hooks.attempts);
  return {
    object: 'overview',
    generated_at: clock.now.toISOString(),
    timezone: tz,
    payments: periods(periodRows),
    declines_today: declines.map((d) => ({ code: d.code, count: Number(d.count) })),
    refunds_today: { count: refundCount, amount: refundAmount, by_status: refundStatus },
    webhooks_last_hour: {
      attempts: hookAttempts,
      succeeded: Number(hooks.ok),
      success_rate: hookAttempts ? Number(hooks.ok) / hookAttempts : null,
      latency_ms: { p50: hooks.p50, p95: hooks.p95 },
    },
    series: {
      minutes: Array.from({ length: MINUTES }, (_, i) => new Date(first + i * 60_000).toISOString()),
      payments_by_status: byStatus,
      delivery_attempts: attempts,
      delivery_failures: failures,
      delivery_p95_ms: p95,
    },
  };
}

import type { Queryable, Tx } from '../db/pool.ts';
import { setTransactionClock } from './store.ts';
import type { DbTenant } from './types.ts';

/**
 * A tenant's clock (README, "Time travel"): real time plus an offset that only grows, kept on the
 * tenant's row (migration 0037), so every request already has it with the tenant it
 * authenticated as. A real-time tenant (offset 0) costs nothing: no statement, no round trip.
 */

type ClockOf = Pick<DbTenant, 'clock_offset_ms'>;

/** How far ahead of real time the tenant's clock is, in milliseconds. */
export const clockOffsetMs = (tenant: ClockOf): number => Number(tenant.clock_offset_ms);

/** The time on the tenant's clock now. */
export const clockNow = (tenant: ClockOf): Date => new Date(Date.now() + clockOffsetMs(tenant));

/** The real moment at which the tenant's clock reads `at` (when a real-time job for it is due). */
export const realTimeOf = (tenant: ClockOf, at: Date): Date => new Date(at.getTime() - clockOffsetMs(tenant));

/** The tenant's row with its clock reading `at`: the context of work done "as if the time had passed" (an advance). */
export const tenantAt = <T extends ClockOf>(tenant: T, at: Date): T => ({ ...tenant, clock_offset_ms: at.getTime() - Date.now() });

/**
 * Dates the transaction's work on the tenant's clock: SQL's sandpay_now() reads it (migration
 * 0037). Only for a tenant whose clock is not real time, and sent without waiting (the pool
 * pipelines it behind BEGIN), so it adds no round trip either way. Call it before the
 * transaction's first write.
 */
export function useClock(t: Tx, tenant: ClockOf): void {
  if (clockOffsetMs(tenant) === 0) return;
  // A failure here fails the transaction's next statement too; the rejection is not lost.
  setTransactionClock(t, clockNow(tenant)).catch(() => {});
}

/**
 * What falls due on tenants' clocks, as one capability schedules it: the advance of a clock
 * (src/clock/) asks each for its next due moment and runs the earliest, one at a time, so
 * everything runs in time order, including what running one thing makes due (a failed webhook
 * attempt's retry). Each capability declares its own (its clock.ts); src/wiring.ts lists them.
 */
export interface ClockWork {
  /** What it runs, for logs ("payment expiry"). */
  name: string;
  /** The earliest moment (on the tenant's clock) something is due at or before `upTo`, or null. */
  nextDue(db: Queryable, tenantId: string, upTo: Date): Promise<Date | null>;
  /**
   * Runs what is due at `at` for the tenant, its clock reading `at`; afterwards nothing of it is
   * due at `at` any more. `until`: where the advance goes (what falls due before it is the
   * advance's to run).
   */
  runDue(tenantId: string, at: Date, until: Date): Promise<void>;
}

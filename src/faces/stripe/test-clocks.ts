import { advanceClock, clockView, resetTenantClock } from '../../clock/clock.ts';
import type { Tx } from '../../db/pool.ts';
import { clockNow } from '../../tenants/clock.ts';
import type { Ctx, DbTenant } from '../../tenants/types.ts';
import type { Services } from '../../services.ts';
import { noSuch, unexpectedState } from './errors.ts';
import { unix } from './schemas.ts';

/**
 * stripe.testHelpers.testClocks over Sandpay's clock (README, "Time travel"). A Stripe test clock
 * is one of many, frozen, and drives only the objects attached to it; Sandpay's is one per tenant,
 * keeps running from where it was put, and drives all of the tenant's objects. So a tenant has
 * exactly one test clock, `clock_<tenant id>`: create answers it (moving it forward to
 * frozen_time when that is later), list shows it, advance moves it, and delete puts it back to
 * real time, which only a tenant with no objects may do. frozen_time is the clock's time now.
 */

const PREFIX = 'clock_';

/** The tenant's one test clock id. */
export const testClockId = (tenant: Pick<DbTenant, 'id'>) => `${PREFIX}${tenant.id.replace(/^ten_/, '')}`;

/** Stripe deletes a test clock 30 days after it is made; Sandpay's lives as long as its tenant, so this says 30 days from now. */
export const DELETES_AFTER_S = 30 * 86_400;

export function testClockObject(tenant: DbTenant, name: string | null = null) {
  const view = clockView(tenant);
  const frozen = unix(clockNow(tenant));
  return {
    id: testClockId(tenant),
    object: 'test_helpers.test_clock' as const,
    created: unix(tenant.created_at),
    deletes_after: frozen + DELETES_AFTER_S,
    frozen_time: frozen,
    livemode: false,
    name,
    status: view.status,
    status_details: view.advancing_to ? { advancing: { target_frozen_time: unix(new Date(view.advancing_to)) } } : {},
  };
}

/** The tenant's clock by its Stripe id; another id (another tenant's too) is "No such test_clock". */
export function ownClock(ctx: Ctx, id: string): DbTenant {
  if (id !== testClockId(ctx.tenant)) throw noSuch('test_clock', id);
  return ctx.tenant;
}

/** Moves the clock to `frozenTime` (unix seconds), which must be later than the clock. */
export async function advanceTestClock(t: Tx, svc: Services, ctx: Ctx, frozenTime: number) {
  const now = clockNow(ctx.tenant);
  if (frozenTime * 1000 <= now.getTime()) {
    throw unexpectedState('test_clock_frozen_time_invalid', `frozen_time must be after the clock's current time (${unix(now)}): Sandpay's clock only moves forward`, 'frozen_time');
  }
  await advanceClock(t, svc, ctx, { to: new Date(frozenTime * 1000).toISOString() });
  return { ...ctx.tenant, clock_status: 'advancing' as const, clock_advancing_to: new Date(frozenTime * 1000) };
}

/** create: the tenant's clock, moved forward to frozen_time when that is later than it. */
export async function createTestClock(t: Tx, svc: Services, ctx: Ctx, frozenTime: number): Promise<DbTenant> {
  if (frozenTime * 1000 <= clockNow(ctx.tenant).getTime() || ctx.tenant.clock_status === 'advancing') return ctx.tenant;
  return advanceTestClock(t, svc, ctx, frozenTime);
}

/** delete: back to real time, when the tenant has no objects (else Stripe's 400, saying why). */
export async function deleteTestClock(t: Tx, svc: Services, ctx: Ctx) {
  await resetTenantClock(t, svc, ctx);
  return { id: testClockId(ctx.tenant), object: 'test_helpers.test_clock' as const, deleted: true as const };
}

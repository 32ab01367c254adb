import type { PaymentServices } from '../payments/services.ts';
import type { ClockWork } from '../tenants/clock.ts';
import { atTenantTime } from '../tenants/tenants.ts';
import { expireSession } from './sessions.ts';
import { sessionsDueBy } from './store.ts';

const BATCH = 100;

/**
 * On a tenant's clock, open checkout sessions expire at their expires_at (or, while their payment
 * is in progress, when that payment settles or expires), exactly as the expiry job does in real
 * time: the same expireSession, its clock reading the moment.
 */
export function checkoutClockWork(svc: PaymentServices): ClockWork {
  return {
    name: 'checkout session expiry',
    async nextDue(db, tenantId, upTo) {
      return (await sessionsDueBy(db, tenantId, upTo, 1))[0]?.due ?? null;
    },
    async runDue(tenantId, at) {
      for (const { id } of await sessionsDueBy(svc.db, tenantId, at, BATCH)) {
        await atTenantTime(svc, tenantId, at, async (t, ctx) => {
          await expireSession(t, svc, ctx, id);
        });
      }
    },
  };
}

import { atTenantTime } from '../tenants/tenants.ts';
import type { ClockWork } from '../tenants/clock.ts';
import type { PaymentServices } from './services.ts';
import { lockPayment, nextPaymentExpiry, paymentsExpiringBy } from './store.ts';
import { transitionPayment } from './transition.ts';

const BATCH = 100;

/**
 * On a tenant's clock, pending payments time out and authorizations left uncaptured expire at
 * their expires_at (PAYMENT_PENDING_TTL_SECONDS, PAYMENT_AUTHORIZED_TTL_SECONDS: 7 days, Stripe's
 * window for an uncaptured PaymentIntent), each in its own transaction as reconciliation does it
 * in real time, dated at the moment it expired.
 */
export function paymentClockWork(svc: PaymentServices): ClockWork {
  return {
    name: 'payment expiry',
    nextDue: (db, tenantId, upTo) => nextPaymentExpiry(db, tenantId, upTo),
    async runDue(tenantId, at) {
      for (const { id } of await paymentsExpiringBy(svc.db, tenantId, at, BATCH)) {
        await atTenantTime(svc, tenantId, at, async (t, ctx) => {
          const p = await lockPayment(t, tenantId, id);
          // Re-checked under the lock: it may have settled since.
          if ((p.status !== 'pending' && p.status !== 'authorized') || !p.expires_at || p.expires_at > at) return;
          await transitionPayment(t, svc, ctx, p, 'expired', { action: 'payment.expired_by_clock' });
        });
      }
    },
  };
}

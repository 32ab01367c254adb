import type { JobDefinition } from '../jobs/workers.ts';
import type { PaymentServices } from '../payments/services.ts';
import { asOwner } from '../tenants/tenants.ts';
import { CHECKOUT_EXPIRE, expireSession, type CheckoutHooks } from './sessions.ts';
import { sessionTenant } from './store.ts';

/** Expires checkout sessions at their expires_at, and runs the hooks that react to an expiry. */
export function checkoutJobs(svc: PaymentServices & { hooks: CheckoutHooks }): JobDefinition[] {
  return [{
    queue: CHECKOUT_EXPIRE,
    concurrency: 2,
    each: ({ sessionId }: { sessionId: string }) =>
      asOwner(svc, (t) => sessionTenant(t, sessionId), async (t, ctx) => {
        const expired = await expireSession(t, svc, ctx, sessionId);
        if (expired) for (const hook of svc.hooks.sessionExpired) await hook(t, svc, ctx, expired);
        return expired;
      }),
  }];
}

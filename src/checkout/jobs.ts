import type { JobDefinition } from '../jobs/workers.ts';
import type { PaymentServices } from '../payments/services.ts';
import { asOwner } from '../tenants/tenants.ts';
import { CHECKOUT_EXPIRE, expireSession } from './sessions.ts';
import { sessionTenant } from './store.ts';

/** Expires checkout sessions at their expires_at. */
export function checkoutJobs(svc: PaymentServices): JobDefinition[] {
  return [{
    queue: CHECKOUT_EXPIRE,
    concurrency: 2,
    each: ({ sessionId }: { sessionId: string }) =>
      asOwner(svc, (t) => sessionTenant(t, sessionId), (t, ctx) => expireSession(t, svc, ctx, sessionId)),
  }];
}

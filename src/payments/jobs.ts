import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { asOwner } from '../tenants/tenants.ts';
import { processPendingPayment } from './actions.ts';
import { paymentTenant } from './store.ts';

/** Settles the payments left pending by async mode or a delayed test instrument. */
export function paymentJobs(svc: Services): JobDefinition[] {
  return [{
    queue: QUEUES.paymentProcess,
    concurrency: 4,
    each: ({ paymentId }: { paymentId: string }) =>
      asOwner(svc, (t) => paymentTenant(t, paymentId), (t, ctx) => processPendingPayment(t, svc, ctx, paymentId)),
  }];
}

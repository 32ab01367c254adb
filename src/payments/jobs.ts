import type { JobDefinition } from '../jobs/workers.ts';
import { asOwner } from '../tenants/tenants.ts';
import { processPendingPayment } from './actions.ts';
import { PAYMENT_PROCESS } from './create.ts';
import type { PaymentServices } from './services.ts';
import { paymentTenant } from './store.ts';

/** Settles the payments left pending by async mode or a delayed test instrument. */
export function paymentJobs(svc: PaymentServices): JobDefinition[] {
  return [{
    queue: PAYMENT_PROCESS,
    concurrency: 4,
    each: ({ paymentId }: { paymentId: string }) =>
      asOwner(svc, (t) => paymentTenant(t, paymentId), (t, ctx) => processPendingPayment(t, svc, ctx, paymentId)),
  }];
}

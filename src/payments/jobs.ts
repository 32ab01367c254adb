import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition, Queue } from '../jobs/workers.ts';
import { asOwner } from '../tenants/tenants.ts';
import { processPendingPayment } from './actions.ts';
import { PAYMENT_PROCESS } from './create.ts';
import type { PaymentServices } from './services.ts';
import { foldPaymentTotals, paymentTenant } from './store.ts';

/** A missed minute is folded by the next one: no retries. */
export const PAYMENT_TOTALS: Queue = { name: QUEUES.paymentTotals, options: { retryLimit: 0 } };

/** Settles the payments left pending by async mode or a delayed test instrument. */
export function paymentJobs(svc: PaymentServices): JobDefinition[] {
  return [{
    queue: PAYMENT_PROCESS,
    concurrency: 4,
    each: ({ paymentId }: { paymentId: string }) =>
      asOwner(svc, (t) => paymentTenant(t, paymentId), (t, ctx) => processPendingPayment(t, svc, ctx, paymentId)),
  }, {
    // Every minute: the changes to payments recorded since (migration 0042) into the totals that
    // GET /payments/stats reads, so a read sums at most a minute of changes.
    queue: PAYMENT_TOTALS,
    concurrency: 1,
    cron: '* * * * *',
    each: async () => void (await foldPaymentTotals(svc.db)),
  }];
}

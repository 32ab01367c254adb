import type { JobDefinition } from '../jobs/workers.ts';
import type { PaymentServices } from '../payments/services.ts';
import { asOwner } from '../tenants/tenants.ts';
import { REFUND_PROCESS, settleRefund } from './refunds.ts';
import { refundTenant } from './store.ts';

/** Processes pending refunds after REFUND_PROCESS_DELAY_MS. */
export function refundJobs(svc: PaymentServices): JobDefinition[] {
  return [{
    queue: REFUND_PROCESS,
    concurrency: 4,
    each: ({ refundId }: { refundId: string }) =>
      asOwner(svc, (t) => refundTenant(t, refundId), (t, ctx) => settleRefund(t, svc, ctx, refundId, 'processed', { strict: false })),
  }];
}

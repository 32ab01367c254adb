import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { asOwner } from '../tenants/tenants.ts';
import { settleRefund } from './refunds.ts';
import { refundTenant } from './store.ts';

/** Processes pending refunds after REFUND_PROCESS_DELAY_MS. */
export function refundJobs(svc: Services): JobDefinition[] {
  return [{
    queue: QUEUES.refundProcess,
    concurrency: 4,
    each: ({ refundId }: { refundId: string }) =>
      asOwner(svc, (t) => refundTenant(t, refundId), (t, ctx) => settleRefund(t, svc, ctx, refundId, 'processed', { strict: false })),
  }];
}

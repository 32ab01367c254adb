import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { systemCtx } from '../tenants/tenants.ts';
import { settleRefund } from './refunds.ts';

/** Processes pending refunds after REFUND_PROCESS_DELAY_MS. */
export function refundJobs(svc: Services): JobDefinition[] {
  return [{
    queue: QUEUES.refundProcess,
    concurrency: 4,
    each: ({ refundId }: { refundId: string }) =>
      svc.db.tx(async (t) => {
        const owner = await t.maybeOne<{ tenant_id: string }>('SELECT tenant_id FROM refunds WHERE id = $1::text', [refundId]);
        const ctx = owner && (await systemCtx(t, svc, owner.tenant_id));
        if (ctx) await settleRefund(t, ctx, refundId, 'processed', { strict: false });
      }),
  }];
}

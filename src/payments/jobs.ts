import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { systemCtx } from '../tenants/tenants.ts';
import { processPendingPayment } from './actions.ts';

/** Settles the payments left pending by async mode or a delayed test instrument. */
export function paymentJobs(svc: Services): JobDefinition[] {
  return [{
    queue: QUEUES.paymentProcess,
    concurrency: 4,
    each: ({ paymentId }: { paymentId: string }) =>
      svc.db.tx(async (t) => {
        const owner = await t.maybeOne<{ tenant_id: string }>('SELECT tenant_id FROM payments WHERE id = $1::text', [paymentId]);
        const ctx = owner && (await systemCtx(t, svc, owner.tenant_id));
        if (ctx) await processPendingPayment(t, ctx, paymentId);
      }),
  }];
}

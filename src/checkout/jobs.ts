import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { systemCtx } from '../tenants/tenants.ts';
import { expireSession } from './sessions.ts';

/** Expires checkout sessions at their expires_at. */
export function checkoutJobs(svc: Services): JobDefinition[] {
  return [{
    queue: QUEUES.checkoutExpire,
    concurrency: 2,
    each: ({ sessionId }: { sessionId: string }) =>
      svc.db.tx(async (t) => {
        const owner = await t.maybeOne<{ tenant_id: string }>('SELECT tenant_id FROM checkout_sessions WHERE id = $1::text', [sessionId]);
        const ctx = owner && (await systemCtx(t, svc, owner.tenant_id));
        if (ctx) await expireSession(t, ctx, sessionId);
      }),
  }];
}

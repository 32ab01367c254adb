import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { asOwner } from '../tenants/tenants.ts';
import { expireSession } from './sessions.ts';
import { sessionTenant } from './store.ts';

/** Expires checkout sessions at their expires_at. */
export function checkoutJobs(svc: Services): JobDefinition[] {
  return [{
    queue: QUEUES.checkoutExpire,
    concurrency: 2,
    each: ({ sessionId }: { sessionId: string }) =>
      asOwner(svc, (t) => sessionTenant(t, sessionId), (t, ctx) => expireSession(t, svc, ctx, sessionId)),
  }];
}

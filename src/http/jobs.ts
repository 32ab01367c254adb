import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition, Queue } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { deleteExpiredIdempotencyKeys } from './store.ts';

/** A missed run is caught up by the next one: no retries. */
export const IDEMPOTENCY_CLEANUP: Queue = { name: QUEUES.idempotencyCleanup, options: { retryLimit: 0 } };

/** Every ten minutes: expired Idempotency-Key answers are removed. */
export function cleanupJobs(svc: Pick<Services, 'db' | 'config' | 'log'>): JobDefinition[] {
  return [{
    queue: IDEMPOTENCY_CLEANUP,
    concurrency: 1,
    cron: '*/10 * * * *',
    each: async () => {
      const keys = await deleteExpiredIdempotencyKeys(svc.db, svc.config.idempotency.ttlHours);
      if (keys) svc.log.info({ component: 'jobs', deleted: keys }, 'expired idempotency keys removed');
    },
  }];
}

import { forgetExpiredJtis } from '../credentials/store.ts';
import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { deleteExpiredIdempotencyKeys } from './store.ts';

/** Every ten minutes: expired Idempotency-Key answers and used service-token ids are removed. */
export function cleanupJobs(svc: Services): JobDefinition[] {
  return [{
    queue: QUEUES.idempotencyCleanup,
    concurrency: 1,
    cron: '*/10 * * * *',
    each: async () => {
      const keys = await deleteExpiredIdempotencyKeys(svc.db, svc.config.idempotency.ttlHours);
      if (keys) svc.log.info({ component: 'jobs', deleted: keys }, 'expired idempotency keys removed');
      const jtis = await forgetExpiredJtis(svc.db);
      if (jtis) svc.log.info({ component: 'jobs', deleted: jtis }, 'expired service-token ids removed');
    },
  }];
}

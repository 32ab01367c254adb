import { QUEUES } from '../jobs/boss.ts';
import type { BaseServices } from '../jobs/services.ts';
import type { JobDefinition, Queue } from '../jobs/workers.ts';
import { forgetExpiredJtis } from './store.ts';

/** A missed run is caught up by the next one: no retries. */
export const JTI_CLEANUP: Queue = { name: QUEUES.jtiCleanup, options: { retryLimit: 0 } };

/** Every ten minutes: the ids of used service tokens that have expired are forgotten (they can no longer be replayed). */
export function credentialJobs(svc: Pick<BaseServices, 'db' | 'log'>): JobDefinition[] {
  return [{
    queue: JTI_CLEANUP,
    concurrency: 1,
    cron: '*/10 * * * *',
    each: async () => {
      const jtis = await forgetExpiredJtis(svc.db);
      if (jtis) svc.log.info({ component: 'jobs', deleted: jtis }, 'expired service-token ids removed');
    },
  }];
}

import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { checkpointDueChains } from './checkpoints.ts';

/**
 * Every minute: seals anything left unsealed, then signs a checkpoint of each chain whose oldest
 * uncovered row is CHECKPOINT_AFTER_SECONDS old.
 */
export function auditJobs(svc: Services): JobDefinition[] {
  return [{
    queue: QUEUES.auditCheckpoint,
    concurrency: 1,
    cron: '* * * * *',
    each: async () => {
      const { created, failed } = await checkpointDueChains(svc);
      if (created || failed) svc.log.info({ component: 'audit', created, failed }, 'audit checkpoints');
    },
  }];
}

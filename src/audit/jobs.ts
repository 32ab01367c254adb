import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition, Queue } from '../jobs/workers.ts';
import { checkpointDueChains } from './checkpoints.ts';
import { AUDIT_VERIFY, runFullVerification } from './full-verification.ts';
import type { CheckpointServices } from './services.ts';

/** A missed minute is caught up by the next one: no retries. */
export const AUDIT_CHECKPOINT: Queue = { name: QUEUES.auditCheckpoint, options: { retryLimit: 0 } };

/**
 * Every minute: seals anything left unsealed, then signs a checkpoint of each chain whose oldest
 * uncovered row is CHECKPOINT_AFTER_SECONDS old.
 */
export function auditJobs<S extends CheckpointServices<S>>(svc: S): JobDefinition[] {
  return [{
    queue: AUDIT_CHECKPOINT,
    concurrency: 1,
    cron: '* * * * *',
    each: async () => {
      const { created, failed } = await checkpointDueChains(svc);
      if (created || failed) svc.log.info({ component: 'audit', created, failed }, 'audit checkpoints');
    },
  }, {
    // Full passes (POST /audit/verifications): one at a time per worker process, so a few large
    // chains take turns rather than the pool.
    queue: AUDIT_VERIFY,
    concurrency: 1,
    each: async (data: { id: string }) => runFullVerification(svc, data.id),
  }];
}

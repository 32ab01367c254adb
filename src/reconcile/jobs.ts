import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { reconcile } from './reconcile.ts';

export function reconcileJobs(svc: Services): JobDefinition[] {
  return [{ queue: QUEUES.reconcile, concurrency: 1, cron: svc.config.reconcile.cron, each: async () => void (await reconcile(svc, 'schedule')) }];
}

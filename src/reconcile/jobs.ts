import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition, Queue } from '../jobs/workers.ts';
import type { PaymentServices } from '../payments/services.ts';
import { reconcile } from './reconcile.ts';

/** A failed run is not retried: the next scheduled one does the same work. */
export const RECONCILE: Queue = { name: QUEUES.reconcile, options: { retryLimit: 0 } };

export function reconcileJobs(svc: PaymentServices): JobDefinition[] {
  return [{ queue: RECONCILE, concurrency: 1, cron: svc.config.reconcile.cron, each: async () => void (await reconcile(svc, 'schedule')) }];
}

import { QUEUES } from '../jobs/boss.ts';
import type { JobDefinition } from '../jobs/workers.ts';
import type { Services } from '../services.ts';
import { deliver, USER_AGENT } from './deliver.ts';
import { createPoster } from './http.ts';

/**
 * Deliveries: a few loops, each fetching a batch of jobs, delivering what they own concurrently
 * and recording it in one statement. Deliveries of a failed batch that were already delivered are
 * skipped by the claim.
 */
export function webhookJobs(svc: Services): JobDefinition[] {
  const { config } = svc;
  const post = createPoster({ timeoutMs: config.webhooks.timeoutMs, allowPrivate: config.webhooks.allowPrivate, userAgent: USER_AGENT });
  const batchSize = Math.min(8, config.webhooks.concurrency);
  return [{
    queue: QUEUES.webhookDelivery,
    batchSize,
    loops: Math.ceil(config.webhooks.concurrency / batchSize),
    batch: (jobs) => deliver(svc, post, jobs.map((j) => j.id), batchSize),
  }];
}

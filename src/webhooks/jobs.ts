import type { JobDefinition } from '../jobs/workers.ts';
import { deliver, USER_AGENT } from './deliver.ts';
import { createPoster } from './http.ts';
import { WEBHOOK_DELIVERY } from './outbox.ts';
import type { WebhookServices } from './services.ts';

/** How deliveries POST: the configured timeout and private-address rule, Sandpay's User-Agent. */
export const deliveryPoster = (config: WebhookServices['config']) =>
  createPoster({ timeoutMs: config.webhooks.timeoutMs, allowPrivate: config.webhooks.allowPrivate, userAgent: USER_AGENT });

/**
 * Deliveries: a few loops, each fetching a batch of jobs, delivering what they own concurrently
 * and recording it in one statement. Deliveries of a failed batch that were already delivered are
 * skipped by the claim.
 */
export function webhookJobs(svc: WebhookServices): JobDefinition[] {
  const { config } = svc;
  const post = deliveryPoster(config);
  const batchSize = Math.min(8, config.webhooks.concurrency);
  return [{
    queue: WEBHOOK_DELIVERY,
    batchSize,
    loops: Math.ceil(config.webhooks.concurrency / batchSize),
    batch: (jobs) => deliver(svc, post, jobs.map((j) => j.id), batchSize),
  }];
}

import type { ClockWork } from '../tenants/clock.ts';
import { deliverDue, type RetryJobAt } from './deliver.ts';
import { deliveryPoster } from './jobs.ts';
import type { WebhookServices } from './services.ts';
import { nextDeliveryDue } from './store.ts';

/**
 * On a tenant's clock, deliveries are attempted when due: a first attempt when its event is
 * written, each retry at its next_attempt_at. A clock advance attempts every one that falls due
 * before it ends, in time order, so a failing endpoint's whole retry schedule runs in one advance
 * and ends dead. A retry due before the advance ends gets no job (the advance attempts it); one
 * due after gets a job for the real moment the advanced clock reaches it.
 */
export function webhookClockWork(svc: WebhookServices): ClockWork {
  const { config } = svc;
  const post = deliveryPoster(config);
  return {
    name: 'webhook deliveries',
    nextDue: (db, tenantId, upTo) => nextDeliveryDue(db, tenantId, upTo),
    async runDue(tenantId, at, until) {
      const retryJobAt: RetryJobAt = (attemptAt, retryInSec) => {
        const due = (attemptAt ?? at).getTime() + retryInSec * 1000;
        if (due <= until.getTime()) return null;
        // The clock will read `until` when the advance ends (about now).
        return new Date(due - (until.getTime() - Date.now()));
      };
      await deliverDue(svc, post, tenantId, at, Math.min(8, config.webhooks.concurrency), retryJobAt);
    },
  };
}

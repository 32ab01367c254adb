import { PgBoss } from 'pg-boss';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export { PgBoss };

/** Every queue Sandpay uses; the dead-letter queue must exist before the queue naming it. */
export const QUEUES = {
  webhookDelivery: 'webhook-delivery',
  webhookDlq: 'webhook-dlq',
  paymentProcess: 'payment-process',
  refundProcess: 'refund-process',
  reconcile: 'reconcile',
  idempotencyCleanup: 'idempotency-cleanup',
  checkoutExpire: 'checkout-expire',
  auditCheckpoint: 'audit-checkpoint',
} as const;

export const BOSS_SCHEMA = 'pgboss';

export function createBoss(connectionString: string, config: Config, log: Logger, opts: { worker: boolean }): PgBoss {
  const boss = new PgBoss({
    connectionString,
    schema: BOSS_SCHEMA,
    application_name: 'sandpay-jobs',
    max: 6,
    // Workers wake on NOTIFY from the enqueueing transaction instead of waiting for a poll
    // (off only where LISTEN cannot work, e.g. behind PgBouncer in transaction mode).
    useListenNotify: config.jobs.listenNotify,
    // Only worker processes run maintenance and cron; an API-only process just enqueues.
    supervise: opts.worker,
    schedule: opts.worker,
    superviseIntervalSeconds: config.jobs.superviseSeconds,
    monitorIntervalSeconds: config.jobs.superviseSeconds,
    instanceName: opts.worker ? 'sandpay-worker' : 'sandpay-api',
  });
  boss.on('error', (err: Error) => log.error({ component: 'jobs', err: err.message }, 'pg-boss error'));
  boss.on('warning', (w: { message: string }) => log.warn({ component: 'jobs', warning: w.message }, 'pg-boss warning'));
  return boss;
}

/**
 * Creates the queues, and applies the current options to queues that already exist (createQueue
 * leaves an existing queue alone), so a changed JOB_EXPIRE_SECONDS takes effect on restart.
 */
export async function ensureQueues(boss: PgBoss, config: Config): Promise<void> {
  // Producers always NOTIFY (cheap); only whether a worker LISTENs is configurable. Flipping the
  // queue flag per process would race with other processes' cached queue options.
  const common = { notify: true, expireInSeconds: config.jobs.expireSeconds };
  const queues: Array<[string, Parameters<PgBoss['createQueue']>[1] & object]> = [
    [QUEUES.webhookDlq, { retentionSeconds: 30 * 24 * 3600 }],
    // pg-boss's own retries only cover a worker that died mid-job; webhook retries follow
    // WEBHOOK_RETRY_SCHEDULE and are scheduled by the delivery worker itself.
    [QUEUES.webhookDelivery, { ...common, retryLimit: 3, retryDelay: 1, deadLetter: QUEUES.webhookDlq }],
    [QUEUES.paymentProcess, { ...common, retryLimit: 5, retryDelay: 1, retryBackoff: true }],
    [QUEUES.refundProcess, { ...common, retryLimit: 5, retryDelay: 1, retryBackoff: true }],
    [QUEUES.reconcile, { ...common, retryLimit: 0 }],
    [QUEUES.idempotencyCleanup, { ...common, retryLimit: 0 }],
    [QUEUES.checkoutExpire, { ...common, retryLimit: 5, retryDelay: 1, retryBackoff: true }],
    [QUEUES.auditCheckpoint, { ...common, retryLimit: 0 }],
  ];
  for (const [name, options] of queues) {
    if (await boss.getQueue(name)) {
      const { deadLetter: _fixedAtCreation, ...updatable } = options;
      await boss.updateQueue(name, updatable);
    } else {
      await boss.createQueue(name, options);
    }
  }
}

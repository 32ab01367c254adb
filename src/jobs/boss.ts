import { PgBoss } from 'pg-boss';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export { PgBoss };

/**
 * Every queue's name. A name is data (pg-boss's job rows carry it), as fixed as a table's, so the
 * names stay as they are. They are listed here, low, only because the job counts (stats.ts) and
 * the benchmark name queues whose owners sit above this folder; a queue's options, dead letter and
 * worker are declared by the capability that owns it (its jobs.ts, or queues.ts where its own
 * modules enqueue onto it), and its producers take the queue from there.
 */
export const QUEUES = {
  webhookDelivery: 'webhook-delivery',
  webhookDlq: 'webhook-dlq',
  paymentProcess: 'payment-process',
  refundProcess: 'refund-process',
  reconcile: 'reconcile',
  idempotencyCleanup: 'idempotency-cleanup',
  jtiCleanup: 'jti-cleanup',
  checkoutExpire: 'checkout-expire',
  auditCheckpoint: 'audit-checkpoint',
  testClockAdvance: 'test-clock-advance',
  auditVerify: 'audit-verify',
  paymentTotals: 'payment-totals',
  razorpayExpire: 'razorpay-expire',
  razorpaySettle: 'razorpay-settle',
} as const;

export const BOSS_SCHEMA = 'pgboss';

export function createBoss(connectionString: string, config: Config, log: Logger, opts: { worker: boolean }): PgBoss {
  const boss = new PgBoss({
    connectionString,
    schema: BOSS_SCHEMA,
    application_name: 'sandpay-jobs',
    max: 6,
    // Workers wake on NOTIFY from the enqueueing transaction instead of waiting for a poll
    // (off only where LISTEN cannot work, e.g. behind PgBouncer in transaction mode). Only a
    // process with workers LISTENs: Postgres wakes every listening backend of the database on
    // every NOTIFY, and each wake-up is a transaction (one more commit per create per listener,
    // issue 27). The enqueueing side still sends its NOTIFY (that is noListenNotify, left off).
    useListenNotify: config.jobs.listenNotify && opts.worker,
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

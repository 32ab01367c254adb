import type { Job } from 'pg-boss';
import type { Tx } from '../db/pool.ts';
import { expireSession } from '../checkout/sessions.ts';
import { processPendingPayment } from '../payments/actions.ts';
import { settleRefund } from '../refunds/refunds.ts';
import type { Ctx, Services } from '../services.ts';
import { systemCtx } from '../tenants/tenants.ts';
import { reconcile } from '../reconcile/reconcile.ts';
import { deliver, USER_AGENT } from '../webhooks/deliver.ts';
import { createPoster } from '../webhooks/http.ts';
import { QUEUES } from './boss.ts';
import { checkpointDueChains } from '../audit/checkpoints.ts';

export interface Workers {
  stop(): Promise<void>;
}

/** The system context for the tenant owning a row, inside the job's transaction. */
async function ownerCtx(t: Tx, svc: Services, table: 'payments' | 'refunds' | 'checkout_sessions', id: string): Promise<Ctx | null> {
  const row = await t.maybeOne<{ tenant_id: string }>(`SELECT tenant_id FROM ${table} WHERE id = $1::text`, [id]);
  return row ? systemCtx(t, svc, row.tenant_id) : null;
}

/** Registers every pg-boss worker and schedule this process runs; stop() waits for jobs in hand. */
export async function startWorkers(deps: Services): Promise<Workers> {
  const { boss, db, config, log } = deps;
  const polling = { pollingIntervalSeconds: config.jobs.pollSeconds, notifyPollingIntervalSeconds: config.jobs.pollSeconds };
  const names: string[] = [];

  async function work<T extends object>(queue: string, localConcurrency: number, handle: (data: T) => Promise<void>) {
    await boss.work<T>(queue, { ...polling, localConcurrency }, async (jobs: Job<T>[]) => {
      for (const job of jobs) {
        try {
          await handle(job.data);
        } catch (err) {
          log.error({ component: 'jobs', queue, job_id: job.id, err }, 'job failed');
          throw err;
        }
      }
    });
    names.push(queue);
  }

  await work<{ paymentId: string }>(QUEUES.paymentProcess, 4, ({ paymentId }) =>
    db.tx(async (t) => {
      const ctx = await ownerCtx(t, deps, 'payments', paymentId);
      if (ctx) await processPendingPayment(t, ctx, paymentId);
    }),
  );

  await work<{ refundId: string }>(QUEUES.refundProcess, 4, ({ refundId }) =>
    db.tx(async (t) => {
      const ctx = await ownerCtx(t, deps, 'refunds', refundId);
      if (ctx) await settleRefund(t, ctx, refundId, 'processed', { strict: false });
    }),
  );

  await work<{ sessionId: string }>(QUEUES.checkoutExpire, 2, ({ sessionId }) =>
    db.tx(async (t) => {
      const ctx = await ownerCtx(t, deps, 'checkout_sessions', sessionId);
      if (ctx) await expireSession(t, ctx, sessionId);
    }),
  );

  // Deliveries: a few loops, each fetching a batch, delivering it concurrently and recording it
  // in one statement. pg-boss wakes every idle loop of a queue on each NOTIFY, so many
  // single-job loops would mean a burst of empty fetches per commit; batches keep fetches few,
  // and a full batch fetches again at once. A failed batch is retried whole: already-delivered
  // jobs in it are then skipped by the claim.
  const post = createPoster({ timeoutMs: config.webhooks.timeoutMs, allowPrivate: config.webhooks.allowPrivate, userAgent: USER_AGENT });
  const batchSize = Math.min(8, config.webhooks.concurrency);
  await boss.work<{ deliveryId: string }>(
    QUEUES.webhookDelivery,
    { ...polling, batchSize, localConcurrency: Math.ceil(config.webhooks.concurrency / batchSize), burstWhenBatchFull: true },
    async (jobs) => {
      try {
        await deliver(deps, post, jobs.map((j) => ({ deliveryId: j.data.deliveryId, jobId: j.id })));
      } catch (err) {
        log.error({ component: 'jobs', queue: QUEUES.webhookDelivery, jobs: jobs.length, err }, 'delivery batch failed');
        throw err;
      }
    },
  );
  names.push(QUEUES.webhookDelivery);

  await work(QUEUES.reconcile, 1, async () => void (await reconcile(deps, 'schedule')));
  await boss.schedule(QUEUES.reconcile, config.reconcile.cron);

  await work(QUEUES.idempotencyCleanup, 1, async () => {
    const rows = await db.rows(
      `DELETE FROM idempotency_keys WHERE created_at < now() - $1::int * interval '1 hour' RETURNING 1`,
      [config.idempotency.ttlHours],
    );
    if (rows.length) log.info({ component: 'jobs', deleted: rows.length }, 'expired idempotency keys removed');
    // Used service-token ids past their token's expiry: the token's exp refuses it now.
    const jtis = await db.rows('DELETE FROM jwt_replay WHERE expires_at < now() RETURNING 1');
    if (jtis.length) log.info({ component: 'jobs', deleted: jtis.length }, 'expired service-token ids removed');
  });
  await boss.schedule(QUEUES.idempotencyCleanup, '*/10 * * * *');

  // Seals anything left unsealed, then signs a checkpoint of each chain whose oldest
  // uncovered row is CHECKPOINT_AFTER_SECONDS old (src/audit/checkpoints.ts).
  await work(QUEUES.auditCheckpoint, 1, async () => {
    const { created, failed } = await checkpointDueChains(deps);
    if (created || failed) log.info({ component: 'audit', created, failed }, 'audit checkpoints');
  });
  await boss.schedule(QUEUES.auditCheckpoint, '* * * * *');

  return {
    async stop() {
      await Promise.all(names.map((n) => boss.offWork(n, { wait: true })));
    },
  };
}

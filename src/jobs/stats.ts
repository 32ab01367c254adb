import { QUEUES, type PgBoss } from './boss.ts';

const WORK_QUEUES = [QUEUES.webhookDelivery, QUEUES.paymentProcess, QUEUES.refundProcess, QUEUES.reconcile, QUEUES.idempotencyCleanup];

export interface JobStats {
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  dead: number;
  worker_status: 'running' | 'stopped';
  queues: Record<string, { pending: number; processing: number; failed: number; total: number }>;
}

/** Fresh counts from pg-boss (not its hourly cache), and whether any worker process is alive. */
export async function jobStats(boss: PgBoss): Promise<JobStats> {
  const read = async (name: string) => (await boss.getQueueStats(name, { force: true })).at(-1);
  const stats = await Promise.all(WORK_QUEUES.map(read));
  const dlq = await read(QUEUES.webhookDlq);
  const queues: JobStats['queues'] = {};
  let pending = 0;
  let processing = 0;
  let failed = 0;
  let completed = 0;
  WORK_QUEUES.forEach((name, i) => {
    const s = stats[i];
    const q = { pending: s?.queuedCount ?? 0, processing: s?.activeCount ?? 0, failed: s?.failedCount ?? 0, total: s?.totalCount ?? 0 };
    queues[name] = q;
    pending += q.pending;
    processing += q.processing;
    failed += q.failed;
    // Retained jobs that are neither waiting, running nor failed have finished.
    completed += Math.max(0, q.total - q.pending - q.processing - q.failed);
  });
  const instances = await boss.getInstances();
  const workerAlive = instances.some((i) => i.live && i.supervise && i.name === 'sandpay-worker');
  return { pending, processing, completed, failed, dead: dlq?.queuedCount ?? 0, worker_status: workerAlive ? 'running' : 'stopped', queues };
}

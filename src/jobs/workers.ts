import type { Job } from 'pg-boss';
import type { Services } from '../services.ts';

/**
 * A queue's worker, as the capability that owns the queue declares it (its own jobs.ts); the
 * runtime hands them all to startWorkers. `each` handles one job at a time, `batch` a batch.
 */
export type JobDefinition = { queue: string; cron?: string } & (
  | { concurrency: number; each(data: any): Promise<void> }
  | { batchSize: number; loops: number; batch(jobs: Array<Pick<Job<any>, 'id' | 'data'>>): Promise<void> }
);

export interface Workers {
  stop(): Promise<void>;
}

/** Registers every worker and schedule this process runs; stop() waits for jobs in hand. */
export async function startWorkers(svc: Pick<Services, 'boss' | 'config' | 'log'>, definitions: JobDefinition[]): Promise<Workers> {
  const { boss, config, log } = svc;
  const polling = { pollingIntervalSeconds: config.jobs.pollSeconds, notifyPollingIntervalSeconds: config.jobs.pollSeconds };
  for (const d of definitions) {
    if ('each' in d) {
      await boss.work(d.queue, { ...polling, localConcurrency: d.concurrency }, async (jobs: Job<any>[]) => {
        for (const job of jobs) {
          try {
            await d.each(job.data);
          } catch (err) {
            log.error({ component: 'jobs', queue: d.queue, job_id: job.id, err }, 'job failed');
            throw err;
          }
        }
      });
    } else {
      // pg-boss wakes every idle loop of a queue on each NOTIFY, so many single-job loops would
      // mean a burst of empty fetches per commit; batches keep fetches few, and a full batch
      // fetches again at once. A failed batch is retried whole.
      await boss.work(d.queue, { ...polling, batchSize: d.batchSize, localConcurrency: d.loops, burstWhenBatchFull: true }, async (jobs: Job<any>[]) => {
        try {
          await d.batch(jobs);
        } catch (err) {
          log.error({ component: 'jobs', queue: d.queue, jobs: jobs.length, err }, 'job batch failed');
          throw err;
        }
      });
    }
    if (d.cron) await boss.schedule(d.queue, d.cron);
  }
  return {
    async stop() {
      await Promise.all(definitions.map((d) => boss.offWork(d.queue, { wait: true })));
    },
  };
}

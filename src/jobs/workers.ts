import type { Job } from 'pg-boss';
import type { Config } from '../config.ts';
import type { PgBoss } from './boss.ts';
import type { BaseServices } from './services.ts';

type QueuePolicy = Omit<NonNullable<Parameters<PgBoss['createQueue']>[1]>, 'deadLetter' | 'notify' | 'expireInSeconds'>;

/**
 * A queue, as the capability that owns it declares it: its name (one of QUEUES), pg-boss's options
 * for it (retries, retention) beside the ones every work queue shares, and the queue its jobs go
 * to once their retries are spent. Producers enqueue onto it (src/jobs/enqueue.ts).
 */
export interface Queue {
  name: string;
  options: QueuePolicy;
  /** A queue no worker takes from, which keeps what it is given (the webhook dead letters). */
  deadLetter?: { name: string; options: QueuePolicy };
  /** For jobs that may run longer than JOB_EXPIRE_SECONDS (a tenant clock's advance): their own bound, in seconds. */
  expireInSeconds?: number;
}

/**
 * A queue's worker, as the capability that owns the queue declares it (its own jobs.ts), with the
 * queue itself; the runtime creates the queues and hands the workers to startWorkers. `each`
 * handles one job at a time, `batch` a batch.
 */
export type JobDefinition = { queue: Queue; cron?: string } & (
  | { concurrency: number; each(data: any): Promise<void> }
  | { batchSize: number; loops: number; batch(jobs: Array<Pick<Job<any>, 'id' | 'data'>>): Promise<void> }
);

export interface Workers {
  stop(): Promise<void>;
}

/**
 * Creates the definitions' queues (each dead-letter queue before the queue naming it), and applies
 * the current options to queues that already exist (createQueue leaves an existing queue alone),
 * so a changed JOB_EXPIRE_SECONDS takes effect on restart.
 */
export async function ensureQueues(boss: PgBoss, config: Config, definitions: readonly JobDefinition[]): Promise<void> {
  // Producers always NOTIFY (cheap); only whether a worker LISTENs is configurable. Flipping the
  // queue flag per process would race with other processes' cached queue options.
  const common = { notify: true, expireInSeconds: config.jobs.expireSeconds };
  const queues = definitions.flatMap(({ queue: q }): Array<[string, Parameters<PgBoss['createQueue']>[1] & object]> => [
    ...(q.deadLetter ? [[q.deadLetter.name, q.deadLetter.options] as [string, QueuePolicy]] : []),
    [q.name, { ...common, ...q.options, ...(q.expireInSeconds ? { expireInSeconds: q.expireInSeconds } : {}), ...(q.deadLetter ? { deadLetter: q.deadLetter.name } : {}) }],
  ]);
  for (const [name, options] of queues) {
    if (await boss.getQueue(name)) {
      const { deadLetter: _fixedAtCreation, ...updatable } = options;
      await boss.updateQueue(name, updatable);
    } else {
      await boss.createQueue(name, options);
    }
  }
}

/** Registers every worker and schedule this process runs; stop() waits for jobs in hand. */
export async function startWorkers(svc: Pick<BaseServices, 'boss' | 'config' | 'log'>, definitions: JobDefinition[]): Promise<Workers> {
  const { boss, config, log } = svc;
  const polling = { pollingIntervalSeconds: config.jobs.pollSeconds, notifyPollingIntervalSeconds: config.jobs.pollSeconds };
  for (const d of definitions) {
    const queue = d.queue.name;
    if ('each' in d) {
      await boss.work(queue, { ...polling, localConcurrency: d.concurrency }, async (jobs: Job<any>[]) => {
        for (const job of jobs) {
          try {
            await d.each(job.data);
          } catch (err) {
            log.error({ component: 'jobs', queue, job_id: job.id, err }, 'job failed');
            throw err;
          }
        }
      });
    } else {
      // pg-boss wakes every idle loop of a queue on each NOTIFY, so many single-job loops would
      // mean a burst of empty fetches per commit; batches keep fetches few, and a full batch
      // fetches again at once. A failed batch is retried whole.
      await boss.work(queue, { ...polling, batchSize: d.batchSize, localConcurrency: d.loops, burstWhenBatchFull: true }, async (jobs: Job<any>[]) => {
        try {
          await d.batch(jobs);
        } catch (err) {
          log.error({ component: 'jobs', queue, jobs: jobs.length, err }, 'job batch failed');
          throw err;
        }
      });
    }
    if (d.cron) await boss.schedule(queue, d.cron);
  }
  return {
    async stop() {
      await Promise.all(definitions.map((d) => boss.offWork(d.queue.name, { wait: true })));
    },
  };
}

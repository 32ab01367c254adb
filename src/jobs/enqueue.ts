import type { Tx } from '../db/pool.ts';
import type { PgBoss } from './boss.ts';
import type { Queue } from './workers.ts';

export interface NewJob {
  data: object;
  /** Not before this moment (millisecond precision). */
  startAfter?: Date;
  /** Our own uuid, when we need to find the job again. */
  id?: string;
}

/**
 * Inserts jobs onto a queue (as its owner declares it) through the caller's transaction: they
 * exist if and only if it commits, so a crash between commit and enqueue cannot lose one.
 * pg-boss NOTIFYs on commit for jobs due now.
 */
export async function enqueue(t: Tx, boss: PgBoss, queue: Pick<Queue, 'name'>, jobs: NewJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await boss.insert(queue.name, jobs.map((j) => ({ data: j.data, ...(j.startAfter ? { startAfter: j.startAfter } : {}), ...(j.id ? { id: j.id } : {}) })), { db: t.jobs });
}

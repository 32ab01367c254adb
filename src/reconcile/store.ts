import type { Queryable } from '../db/pool.ts';

/** The SQL of the reconciliation_runs table, which this folder owns. */

export interface ReconciliationRun {
  id: number;
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
  expired_payments: number;
  requeued_deliveries: number;
  trigger: 'schedule' | 'admin';
  error: string | null;
}

export function insertRun(db: Queryable, run: Omit<ReconciliationRun, 'id'>): Promise<ReconciliationRun> {
  return db.one<ReconciliationRun>(
    `INSERT INTO reconciliation_runs (started_at, finished_at, duration_ms, expired_payments, requeued_deliveries, trigger, error)
     VALUES ($1::timestamptz, $2::timestamptz, $3::int, $4::int, $5::int, $6::text, $7::text) RETURNING *`,
    [run.started_at, run.finished_at, run.duration_ms, run.expired_payments, run.requeued_deliveries, run.trigger, run.error],
  );
}

/** Runs older than `startingAfter` (a run id; undefined: the newest), newest first, at most `limit`. */
export function runsBefore(db: Queryable, startingAfter: number | undefined, limit: number): Promise<ReconciliationRun[]> {
  return db.rows<ReconciliationRun>(
    'SELECT * FROM reconciliation_runs WHERE ($1::bigint IS NULL OR id < $1::bigint) ORDER BY id DESC LIMIT $2::int',
    [startingAfter ?? null, limit],
  );
}

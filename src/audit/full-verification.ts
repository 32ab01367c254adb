import type { Db } from '../db/pool.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { PgBoss } from '../jobs/boss.ts';
import type { Queue } from '../jobs/workers.ts';
import { QUEUES } from '../jobs/boss.ts';
import { newId } from '../ids.ts';
import type { AuditServices } from './services.ts';
import { finishVerification, getVerification, insertVerification, startVerificationRow, verificationProgress, type DbVerification } from './store.ts';
import { verifyChain } from './verify.ts';

/**
 * A pass over a whole chain, every row from seq 1 and every checkpoint (what GET /audit/verify
 * did on every call before issue 27), run by a worker: at ~16 µs a row a million rows take
 * seconds, which no request may hold. Progress (rows read of the chain's sealed rows) is stored
 * after each batch of 2,000, the result (the same object GET /audit/verify answers) at the end.
 */
export const AUDIT_VERIFY: Queue = { name: QUEUES.auditVerify, options: { retryLimit: 1, retryDelay: 5 } };

export function verificationView(v: DbVerification) {
  return {
    object: 'audit_verification' as const,
    id: v.id,
    chain: v.chain,
    status: v.status,
    rows_checked: Number(v.rows_checked),
    rows_total: v.rows_total === null ? null : Number(v.rows_total),
    result: v.result,
    error: v.error,
    created_at: v.created_at.toISOString(),
    finished_at: v.finished_at?.toISOString() ?? null,
  };
}

export type VerificationView = ReturnType<typeof verificationView>;

/** Queues a full verification of `chain` (202): the row and its job commit together. */
export async function startFullVerification(svc: { db: Db; boss: PgBoss }, chain: string): Promise<VerificationView> {
  return svc.db.tx(async (t) => {
    const row = await insertVerification(t, newId('auditVerification'), chain);
    await enqueue(t, svc.boss, AUDIT_VERIFY, [{ data: { id: row.id } }]);
    return verificationView(row);
  });
}

export async function findVerification(db: Db, chain: string, id: string): Promise<VerificationView | undefined> {
  const row = await getVerification(db, chain, id);
  return row && verificationView(row);
}

/** The job: reads the whole chain in one snapshot, writing its progress as it goes. */
export async function runFullVerification(svc: Pick<AuditServices, 'db' | 'audit'>, id: string): Promise<void> {
  const row = await startVerificationRow(svc.db, id);
  if (!row) return; // finished already (a retried job)
  try {
    const result = await verifyChain(svc, row.chain, { onProgress: (n) => verificationProgress(svc.db, id, n) });
    await finishVerification(svc.db, id, 'succeeded', result.rows_checked, result, null);
  } catch (err) {
    await finishVerification(svc.db, id, 'failed', 0, null, (err as Error).message);
    throw err;
  }
}

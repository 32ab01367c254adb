import type { Queryable, Tx } from '../db/pool.ts';

/** The SQL of the idempotency_keys and rate_limit_hits tables, which the edge owns. */

/** An answer kept under an Idempotency-Key. */
export interface StoredResponse {
  method: string;
  path: string;
  fingerprint: string;
  status_code: number;
  response_body: string;
}

/**
 * Waits for the key's advisory lock at most `lockTimeout` (a Postgres interval, '5000ms'), then
 * reads the answer stored under it, in one round trip (idempotency_claim, migrations 0009 and
 * 0017). Sent at once: the caller's work may be sent behind it before it is answered.
 */
export function claimIdempotencyKey(t: Tx, tenantId: string, key: string, lockTimeout: string): Promise<StoredResponse | undefined> {
  return t.maybeOne<StoredResponse>('SELECT * FROM idempotency_claim($1::text, $2::text, $3::text)', [tenantId, key, lockTimeout]);
}

/** Keeps the answer under the key, sent with the COMMIT. */
export function deferStoredAnswer(t: Tx, tenantId: string, key: string, answer: StoredResponse): void {
  t.defer(
    `INSERT INTO idempotency_keys (tenant_id, key, method, path, fingerprint, status_code, response_body)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::int, $7::text)`,
    [tenantId, key, answer.method, answer.path, answer.fingerprint, answer.status_code, answer.response_body],
  );
}

/** Answers older than `ttlHours` are forgotten (the cleanup job): how many. */
export async function deleteExpiredIdempotencyKeys(db: Queryable, ttlHours: number): Promise<number> {
  const rows = await db.rows(`DELETE FROM idempotency_keys WHERE created_at < now() - $1::int * interval '1 hour' RETURNING 1`, [ttlHours]);
  return rows.length;
}

/**
 * Counts `take` requests against a rate-limit key whose window is `windowMs` (a new window when
 * the last one is over): the count so far in this window, and when it ends.
 */
export function countRateLimitHits(db: Queryable, key: string, windowMs: number, take: number): Promise<{ hits: number; reset_at: Date }> {
  return db.one<{ hits: number; reset_at: Date }>(
    `INSERT INTO rate_limit_hits (key, hits, reset_at)
       VALUES ($1::text, $3::int, now() + $2::int * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limit_hits.reset_at <= now() THEN $3::int ELSE rate_limit_hits.hits + $3::int END,
         reset_at = CASE WHEN rate_limit_hits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limit_hits.reset_at END
       RETURNING hits, reset_at`,
    [key, windowMs, take],
  );
}

import { createHash } from 'node:crypto';
import { DomainError, badRequest } from '../core/errors.ts';
import { classifyDbError } from '../db/errors.ts';
import type { Tx } from '../db/pool.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import { claimIdempotencyKey, deferStoredAnswer, type StoredResponse } from './store.ts';

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export interface IdempotentRequest {
  tenantId: string;
  /** The header as sent. */
  key: string;
  /**
   * Whose keys these are, apart from the server's (secret key: no space): the browser's
   * (publishable key), or one hosted checkout page's. So a page can never block a key your
   * server uses, nor one payer's page another's.
   */
  space?: string | undefined;
  method: string;
  path: string;
  body: unknown;
}

export interface Answer {
  status: number;
  text: string;
  replayed: boolean;
}

export function checkKey(key: string | undefined, required: boolean, what: string): string | undefined {
  if (key !== undefined && !KEY_PATTERN.test(key)) {
    throw badRequest('idempotency_key_invalid', 'Idempotency-Key must be 1 to 255 printable ASCII characters', 'Idempotency-Key');
  }
  if (key === undefined && required) {
    throw badRequest('idempotency_key_required', `${what} needs an Idempotency-Key header, so a retried request never charges twice`, 'Idempotency-Key');
  }
  return key;
}

/**
 * Runs `work` in `t` under the Idempotency-Key: the transaction first takes an advisory lock on
 * (tenant, key), so a concurrent duplicate waits and then replays the stored answer byte-for-byte.
 * Only 2xx answers are stored (an error rolls everything back, so the client can fix the request
 * and retry with the same key). `stored` is what is kept: the answer minus fields shown once.
 *
 * The work starts without waiting for the claim's answer, so its first statements share the
 * claim's round trip; the server runs them after the claim, so after the lock. When the claim
 * finds an answer (or fails), the transaction is cancelled: the work's writes roll back and its
 * result is dropped.
 */
export async function idempotent(
  t: Tx,
  req: IdempotentRequest,
  lockTimeoutMs: number,
  work: () => Promise<{ status: number; text: string; stored: string }>,
): Promise<Answer> {
  const scopedKey = req.space ? `${req.space}:${req.key}` : req.key;
  const fingerprint = createHash('sha256').update(canonicalJson(req.body ?? {})).digest('hex');
  const claim = claimKey(t, req.tenantId, scopedKey, lockTimeoutMs);
  const done = work().then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  let stored: StoredResponse | undefined;
  try {
    stored = await claim;
  } catch (err) {
    await cancel(t, done, err as Error);
    throw err;
  }
  if (stored) {
    await cancel(t, done, new Error('the Idempotency-Key has an answer already'));
    if (stored.method !== req.method || stored.path !== req.path || stored.fingerprint !== fingerprint) {
      throw new DomainError('idempotency_reused', 'idempotency_key_reused',
        `This Idempotency-Key was used for a different request (${stored.method} ${stored.path}); use a new key for a new request`, { param: 'Idempotency-Key' });
    }
    return { status: stored.status_code, text: stored.response_body, replayed: true };
  }
  const outcome = await done;
  if ('error' in outcome) throw outcome.error;
  const { result } = outcome;
  deferStoredAnswer(t, req.tenantId, scopedKey, { method: req.method, path: req.path, fingerprint, status_code: result.status, response_body: result.stored });
  return { status: result.status, text: result.text, replayed: false };
}

/** Stops speculative work: its later statements fail, the transaction rolls back; waits for it to end. */
async function cancel(t: Tx, work: Promise<unknown>, reason: Error): Promise<void> {
  t.cancel(reason);
  await work;
}

/**
 * Waits for the key's lock at most lockTimeoutMs, then reads the stored answer, in one round
 * trip (idempotency_claim). The wait bound applies to this lock only: the function restores
 * lock_timeout afterwards, so later row locks in the transaction wait as usual (unless it found
 * an answer: then the work behind it is discarded, and a 1 ms bound makes it fail at once rather
 * than wait; migration 0017). Past the bound: 409 idempotency_key_in_use.
 */
async function claimKey(t: Tx, tenantId: string, key: string, lockTimeoutMs: number): Promise<StoredResponse | undefined> {
  try {
    return await claimIdempotencyKey(t, tenantId, key, `${lockTimeoutMs}ms`);
  } catch (err) {
    if (classifyDbError(err) === 'lock_timeout') {
      throw new DomainError('idempotency_in_use', 'idempotency_key_in_use',
        'A request with this Idempotency-Key is still being processed; retry shortly', { param: 'Idempotency-Key' });
    }
    throw err;
  }
}

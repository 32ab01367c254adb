import { randomBase62 } from '../ids.ts';
import type { Db } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import { redactedField, redactedRequestBody, redactedResponseBody } from './redact.ts';
import type { RequestSource } from './store.ts';
import { insertRequestLines, pruneOlderThan, pruneTenantsOverLimit } from './store.ts';

/**
 * The request log's writer. Requests are queued in memory when their response has gone out and
 * written by a timer, a whole batch in one multi-row INSERT outside any request's transaction,
 * so a request costs no database round trip for its log line. Redaction happens at flush time
 * too, off the request's path. The queue is bounded: while the database is away the newest
 * entries are dropped (and counted) rather than memory growing. Pruning keeps at most
 * `maxPerTenant` rows per tenant (only tenants written since the last prune are checked) and
 * nothing older than `retentionHours`.
 */

/** What the middleware hands over; raw bodies are redacted before anything is stored. */
export interface RawEntry {
  tenantId: string;
  requestId: string;
  method: string;
  path: string;
  query: string | null;
  status: number;
  latencyMs: number;
  idempotencyKey: string | null;
  replayed: boolean;
  source: RequestSource;
  requestBody: unknown;
  responseText: string | null;
  fault: string | null;
  /** Which credential made the request (src/http/context.ts credentialOf), as the auth guard recorded it. */
  credential?: { type: string; id: string | null } | null;
  at: Date;
}

export interface RequestLogOptions {
  flushMs: number;
  maxQueue: number;
  batchSize: number;
  maxPerTenant: number;
  retentionHours: number;
  pruneEveryMs: number;
}

export const REQUEST_LOG_DEFAULTS: RequestLogOptions = {
  flushMs: 100,
  maxQueue: 5000,
  batchSize: 500,
  maxPerTenant: 1000,
  retentionHours: 72,
  pruneEveryMs: 30_000,
};

export interface RequestLogWriter {
  push(entry: RawEntry): void;
  /** Writes everything queued now (tests, shutdown). */
  flush(): Promise<void>;
  prune(): Promise<void>;
  readonly dropped: number;
}

interface ErrorFields {
  type: string | null;
  code: string | null;
  message: string | null;
  param: string | null;
}

function errorOf(status: number, text: string | null): ErrorFields {
  const none = { type: null, code: null, message: null, param: null };
  if (status < 400 || !text) return none;
  try {
    const e = (JSON.parse(text) as { error?: Record<string, unknown> }).error;
    if (!e || typeof e !== 'object') return none;
    // An error message may quote what the client sent (a Sandpay-Fault value, a parameter).
    const str = (v: unknown) => redactedField(typeof v === 'string' ? v : null, 1000);
    return { type: str(e.type), code: str(e.code), message: str(e.message), param: str(e.param) };
  } catch {
    return none;
  }
}

export function createRequestLogWriter(db: Db, log: Logger, options: Partial<RequestLogOptions> = {}): RequestLogWriter {
  const opts = { ...REQUEST_LOG_DEFAULTS, ...options };
  const queue: RawEntry[] = [];
  const touched = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;
  let lastPrune = Date.now();
  let dropped = 0;

  async function insert(batch: RawEntry[]): Promise<void> {
    const errors = batch.map((e) => errorOf(e.status, e.responseText));
    await insertRequestLines(db, batch.map((e, i) => ({
      id: `rl_${randomBase62(20)}`, tenant_id: e.tenantId, request_id: redactedField(e.requestId, 200), method: e.method, path: e.path,
      query: e.query, status: e.status, latency_ms: Math.round(e.latencyMs * 100) / 100, idempotency_key: redactedField(e.idempotencyKey, 255),
      replayed: e.replayed, source: e.source, error_type: errors[i]!.type, error_code: errors[i]!.code,
      error_message: errors[i]!.message, error_param: errors[i]!.param, request_body: redactedRequestBody(e.requestBody),
      response_body: redactedResponseBody(e.responseText), fault: redactedField(e.fault, 1000), created_at: e.at.toISOString(),
      credential_type: e.credential?.type ?? null, credential_id: e.credential?.id ?? null,
    })));
    for (const e of batch) touched.add(e.tenantId);
  }

  async function prune(): Promise<void> {
    lastPrune = Date.now();
    const tenants = [...touched];
    touched.clear();
    if (tenants.length > 0) await pruneTenantsOverLimit(db, tenants, opts.maxPerTenant);
    await pruneOlderThan(db, opts.retentionHours);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, opts.batchSize);
      try {
        await insert(batch);
      } catch (err) {
        // The database is away or closing: these lines are lost, the API goes on.
        dropped += batch.length;
        log.warn({ err: (err as Error).message, lost: batch.length }, 'request log write failed');
        return;
      }
    }
    if (Date.now() - lastPrune >= opts.pruneEveryMs) {
      await prune().catch((err: Error) => log.warn({ err: err.message }, 'request log prune failed'));
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    flushing ??= drain().finally(() => {
      flushing = null;
      if (queue.length > 0) schedule();
    });
    return flushing;
  }

  function schedule(): void {
    if (timer || flushing) return;
    timer = setTimeout(() => void flush(), opts.flushMs);
    timer.unref();
  }

  return {
    push(entry) {
      if (queue.length >= opts.maxQueue) {
        dropped++;
        return;
      }
      queue.push(entry);
      schedule();
    },
    flush,
    prune,
    get dropped() {
      return dropped;
    },
  };
}

import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { classifyDbError } from '../db/errors.ts';
import type { Tx } from '../db/pool.ts';
import type { Ctx, Services } from '../services.ts';
import { actorOf, requestId, tenantOf } from './context.ts';
import { ApiError, badRequest } from './errors.ts';
import { parseBody } from './validate.ts';

export interface MutationResult {
  status: number;
  body: unknown;
}

export type MutationHandler<I> = (t: Tx, input: I, ctx: Ctx, req: Request) => Promise<MutationResult>;

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export function ctxOf(req: Request, svc: Services): Ctx {
  return { svc, tenant: tenantOf(req), actor: actorOf(req), requestId: requestId(req) };
}

/** JSON with object keys sorted, so {"a":1,"b":2} and {"b":2,"a":1} fingerprint the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface StoredResponse {
  method: string;
  path: string;
  fingerprint: string;
  status_code: number;
  response_body: string;
}

/**
 * A tenant POST: validate, then do the work in one transaction. With an Idempotency-Key the
 * transaction first takes pg_advisory_xact_lock on (tenant, key), so a concurrent duplicate
 * waits and then replays the stored answer byte-for-byte. Only 2xx answers are stored; an error
 * rolls everything back, so the client can fix the request and retry with the same key.
 */
export function mutation<S extends z.ZodType>(
  svc: Services,
  schema: S,
  handler: MutationHandler<z.output<S>>,
  opts: { requireKey?: boolean } = {},
): RequestHandler {
  return async (req, res) => {
    const input = parseBody(schema, req.body);
    const key = req.header('idempotency-key');
    if (key !== undefined && !KEY_PATTERN.test(key)) {
      throw badRequest('idempotency_key_invalid', 'Idempotency-Key must be 1 to 255 printable ASCII characters', 'Idempotency-Key');
    }
    if (key === undefined && opts.requireKey) {
      throw badRequest('idempotency_key_required', `${req.method} ${req.originalUrl} needs an Idempotency-Key header, so a retried request never charges twice`, 'Idempotency-Key');
    }
    const ctx = ctxOf(req, svc);

    if (key === undefined) {
      const result = await svc.db.tx((t) => handler(t, input, ctx, req));
      res.status(result.status).type('application/json').send(JSON.stringify(result.body));
      return;
    }

    const path = req.originalUrl.split('?')[0]!;
    const fingerprint = createHash('sha256').update(canonicalJson(req.body ?? {})).digest('hex');
    const outcome = await svc.db.tx(async (t) => {
      const stored = await claimKey(t, ctx.tenant.id, key, svc.config.idempotency.lockTimeoutMs);
      if (stored) {
        if (stored.method !== req.method || stored.path !== path || stored.fingerprint !== fingerprint) {
          throw new ApiError(422, 'idempotency_error', 'idempotency_key_reused',
            `This Idempotency-Key was used for a different request (${stored.method} ${stored.path}); use a new key for a new request`, 'Idempotency-Key');
        }
        return { status: stored.status_code, text: stored.response_body, replayed: true };
      }
      const result = await handler(t, input, ctx, req);
      const text = JSON.stringify(result.body);
      await t.rows(
        `INSERT INTO idempotency_keys (tenant_id, key, method, path, fingerprint, status_code, response_body)
         VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::int, $7::text)`,
        [ctx.tenant.id, key, req.method, path, fingerprint, result.status, text],
      );
      return { status: result.status, text, replayed: false };
    });
    if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(outcome.status).type('application/json').send(outcome.text);
  };
}

/**
 * Waits for the key's lock at most lockTimeoutMs (lock_timeout, for the rest of this
 * transaction), then reads the stored answer, in one round trip (idempotency_claim, migration
 * 0006). Past the bound: 409 idempotency_key_in_use.
 */
async function claimKey(t: Tx, tenantId: string, key: string, lockTimeoutMs: number): Promise<StoredResponse | undefined> {
  try {
    return await t.maybeOne<StoredResponse>('SELECT * FROM idempotency_claim($1::text, $2::text, $3::text)', [tenantId, key, `${lockTimeoutMs}ms`]);
  } catch (err) {
    if (classifyDbError(err) === 'lock_timeout') {
      throw new ApiError(409, 'idempotency_error', 'idempotency_key_in_use',
        'A request with this Idempotency-Key is still being processed; retry shortly', 'Idempotency-Key');
    }
    throw err;
  }
}

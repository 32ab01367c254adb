import type { RequestHandler } from 'express';
import { rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type { Db } from '../../db/pool.ts';
import { ApiError } from '../errors.ts';
import { tenantOf } from '../context.ts';

/**
 * express-rate-limit Store on the app's own pool, so every API process shares one counter per
 * key. A single upsert both counts and starts a new window when the old one has passed.
 */
export class PostgresStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;
  private readonly db: Db;

  constructor(db: Db, prefix: string) {
    this.db = db;
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const row = await this.db.one<{ hits: number; reset_at: Date }>(
      `INSERT INTO rate_limit_hits (key, hits, reset_at)
       VALUES ($1::text, 1, now() + $2::int * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limit_hits.reset_at <= now() THEN 1 ELSE rate_limit_hits.hits + 1 END,
         reset_at = CASE WHEN rate_limit_hits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limit_hits.reset_at END
       RETURNING hits, reset_at`,
      [this.prefix + key, this.windowMs],
    );
    return { totalHits: row.hits, resetTime: row.reset_at };
  }

  async decrement(key: string): Promise<void> {
    await this.db.rows('UPDATE rate_limit_hits SET hits = greatest(hits - 1, 0) WHERE key = $1::text', [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.db.rows('DELETE FROM rate_limit_hits WHERE key = $1::text', [this.prefix + key]);
  }
}

function limited(windowMs: number): Options['handler'] {
  return (_req, _res, next, options) => {
    // express-rate-limit has already set Retry-After and the RateLimit headers.
    next(new ApiError(options.statusCode, 'rate_limit_error', 'rate_limit_exceeded', `Too many requests; the limit is ${options.limit} per ${windowMs / 1000} s`));
  };
}

const common = {
  standardHeaders: 'draft-8' as const,
  legacyHeaders: false,
  // The store is in Postgres: if it is down, the request fails with 503 rather than skipping the limit.
  passOnStoreError: false,
};

/** Per tenant (never per IP) on authenticated routes; an operator may set a tenant's own limit. */
export function tenantRateLimit(db: Db, windowMs: number, defaultMax: number): RequestHandler {
  return rateLimit({
    ...common,
    windowMs,
    limit: (req) => tenantOf(req).rate_limit ?? defaultMax,
    keyGenerator: (req) => tenantOf(req).id,
    store: new PostgresStore(db, 'tenant:'),
    handler: limited(windowMs),
    // Keys are tenant ids, not IPs, so the IP-related validations do not apply.
    validate: { keyGeneratorIpFallback: false },
  });
}

/** Per client IP on unauthenticated routes (registration). */
export function ipRateLimit(db: Db, windowMs: number, max: number, prefix: string): RequestHandler {
  return rateLimit({
    ...common,
    windowMs,
    limit: max,
    store: new PostgresStore(db, prefix),
    handler: limited(windowMs),
  });
}

import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { DomainError } from '../../core/errors.ts';
import type { Db } from '../../db/pool.ts';
import { tenantOf } from '../context.ts';
import { countRateLimitHits } from '../store.ts';
import type { TenantCaches } from '../../tenants/caches.ts';

/**
 * Rate limits shared by every API process through one Postgres counter per key (UNLOGGED
 * rate_limit_hits), plus per-process guards so a tenant over its limit cannot starve the
 * others (issue 17, item 2):
 *  - a "blocked until" cache per key, filled when the shared counter says the key is over: the
 *    rest of that window is answered 429 from memory, without a pooled connection;
 *  - a bound on one tenant's requests in flight in this process (TENANT_MAX_INFLIGHT, by
 *    default half the pool): a few more wait their turn without holding a connection, the rest
 *    get 429, so one tenant never holds more than its share of the pool however many
 *    connections it opens;
 *  - refusals are held up to a second before they are sent, so a client retrying in a tight
 *    loop cannot take the event loop either (see pause()).
 * Another process learns of a block at its own next increment (once its lease of requests is
 * spent); an operator's new limit for a tenant takes effect at once (a block and a lease record
 * the limit they were computed with).
 */

interface Block {
  until: number;
  limit: number;
}

interface Policy {
  name: string;
  limit: number;
  windowMs: number;
}

const RETRY_SOON = { 'Retry-After': '1' };

function setLimitHeaders(res: Response, p: Policy, remaining: number, resetAt: number): number {
  const resetSec = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
  res.setHeader('RateLimit-Policy', `"${p.name}";q=${p.limit};w=${Math.ceil(p.windowMs / 1000)}`);
  res.setHeader('RateLimit', `"${p.name}";r=${remaining};t=${resetSec}`);
  return resetSec;
}

function overLimit(res: Response, p: Policy, resetAt: number): DomainError {
  const retry = setLimitHeaders(res, p, 0, resetAt);
  return new DomainError('rate_limited', 'rate_limit_exceeded', `Too many requests; the limit is ${p.limit} per ${p.windowMs / 1000} s`, {
    headers: { 'Retry-After': String(retry) },
  });
}

/**
 * Requests a process takes from the shared counter at once: 1 for small limits (exact, as a
 * per-request count), up to 1 % of the limit (at most 1,000) for large ones. A process may so
 * leave up to that many unused at the end of a window: the limit errs on the strict side.
 */
export const leaseSize = (limit: number) => Math.min(1000, Math.max(1, Math.floor(limit / 100)));

interface Lease {
  /** Requests this process may still serve in the window without asking the counter. */
  tokens: number;
  /** What the counter had left for others when this process last took from it (for the RateLimit header). */
  shared: number;
  until: number;
  limit: number;
}

const MAX_KEYS = 10_000;

/**
 * A fixed window per key: the shared counter in Postgres, fronted by this process's cache of
 * keys known to be over and by a per-process lease of requests taken from the counter in
 * batches (leaseSize), so a busy tenant costs one upsert per batch instead of one per request.
 */
function windowCounter(db: Db, prefix: string, windowMs: number) {
  const blocks = new Map<string, Block>();
  const leases = new Map<string, Lease>();

  /** The block in force for this key (and this limit, when given), from memory. */
  function blocked(key: string, limit?: number): Block | null {
    const b = blocks.get(key);
    if (!b) return null;
    if (b.until <= Date.now()) {
      blocks.delete(key);
      return null;
    }
    return limit === undefined || b.limit === limit ? b : null;
  }

  /** Counts one request; answers the error to throw when it is over the limit. */
  async function hit(res: Response, key: string, p: Policy): Promise<DomainError | null> {
    const cached = blocked(key, p.limit);
    if (cached) return overLimit(res, p, cached.until);
    const lease = leases.get(key);
    if (lease && lease.tokens > 0 && lease.until > Date.now() && lease.limit === p.limit) {
      lease.tokens--;
      setLimitHeaders(res, p, lease.shared + lease.tokens, lease.until);
      return null;
    }
    const take = leaseSize(p.limit);
    const row = await countRateLimitHits(db, prefix + key, windowMs, take);
    const resetAt = row.reset_at.getTime();
    // Of the `take` just counted, those still under the limit are ours to serve.
    const granted = Math.max(0, Math.min(take, p.limit - (row.hits - take)));
    if (granted === 0) {
      leases.delete(key);
      if (blocks.size >= MAX_KEYS) blocks.delete(blocks.keys().next().value!);
      blocks.set(key, { until: resetAt, limit: p.limit });
      return overLimit(res, p, resetAt);
    }
    if (leases.size >= MAX_KEYS) leases.delete(leases.keys().next().value!);
    const same = lease && lease.until === resetAt && lease.limit === p.limit;
    const shared = Math.max(0, p.limit - row.hits);
    leases.set(key, { tokens: (same ? lease.tokens : 0) + granted - 1, shared, until: resetAt, limit: p.limit });
    setLimitHeaders(res, p, shared + granted - 1, resetAt);
    return null;
  }

  /** Drops what this process knows of a key (its tenant's settings changed: the limit may have). */
  const forget = (key: string) => {
    blocks.delete(key);
    leases.delete(key);
  };

  return { blocked, hit, forget };
}

/** SHA-256 of the bearer token: how the key cache recognises a caller before auth. */
function tokenHash(req: Request): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m ? createHash('sha256').update(m[1]!).digest('hex') : null;
}

const KEY_CACHE_MAX = 10_000;

export interface TenantLimitOptions {
  windowMs: number;
  /** Requests per window unless the operator set the tenant's own rate_limit. */
  defaultMax: number;
  /** Requests one tenant may have in flight in this process. */
  maxInflight: number;
  /** How long a request may wait for one of its tenant's slots (default: the pool's connection timeout). */
  maxWaitMs: number;
  /** How long a refusal is held before it is sent (default 1000 ms; see pause()). */
  holdMs?: number;
  /**
   * Refusals held at once; past this they are sent at once. Held requests count against
   * MAX_INFLIGHT_REQUESTS, so keep it well below that (default 512, half the default).
   */
  maxHeld?: number;
}

/**
 * At most `max` requests per tenant run at once; a few more wait their turn (a burst is served,
 * not refused), holding no connection while they wait. Past the queue, or past `maxWaitMs`, no.
 */
function tenantSlots(max: number, maxWaitMs: number) {
  const queueMax = max * 4;
  const tenants = new Map<string, { active: number; waiting: Array<() => void> }>();

  const release = (tenantId: string) => {
    const s = tenants.get(tenantId)!;
    const next = s.waiting.shift();
    if (next) return next(); // the slot passes straight to the next in line
    if (--s.active === 0) tenants.delete(tenantId);
  };

  /** Resolves true once the request holds a slot (given back when its response closes), false if refused. */
  async function acquire(tenantId: string, res: Response): Promise<boolean> {
    let s = tenants.get(tenantId);
    if (!s) tenants.set(tenantId, (s = { active: 0, waiting: [] }));
    if (s.active < max) {
      s.active++;
    } else {
      if (s.waiting.length >= queueMax) return false;
      const state = s;
      const granted = await new Promise<boolean>((resolve) => {
        const turn = () => {
          clearTimeout(timer);
          res.off('close', gone);
          resolve(true);
        };
        const leave = () => {
          const i = state.waiting.indexOf(turn);
          if (i >= 0) state.waiting.splice(i, 1);
          resolve(false);
        };
        const gone = () => {
          clearTimeout(timer);
          leave();
        };
        const timer = setTimeout(() => {
          res.off('close', gone);
          leave();
        }, maxWaitMs);
        res.once('close', gone);
        state.waiting.push(turn);
      });
      if (!granted) return false;
    }
    res.once('close', () => release(tenantId));
    return true;
  }

  return { acquire };
}

export interface TenantLimits {
  /**
   * Mount before tenant auth: a key whose tenant this process knows to be blocked is answered
   * 429 without a query (not even auth's), and the in-flight bound applies from here.
   */
  beforeAuth: RequestHandler;
  /** Mount after tenant auth: the in-flight bound (if beforeAuth did not apply it), then the window limit. */
  afterAuth: RequestHandler;
}

export function tenantLimits(db: Db, caches: TenantCaches | undefined, opts: TenantLimitOptions): TenantLimits {
  const counter = windowCounter(db, 'tenant:', opts.windowMs);
  // A tenant's rows changed (an operator set its limit, or re-enabled it): its block, computed
  // with the old limit, no longer holds, even before auth has read the new one.
  // Its keys may have been rotated or revoked too: forget which tenant they named, so an old key
  // goes through auth (and its 401) instead of taking the tenant's slots.
  const tenantOfKey = new Map<string, string>();
  caches?.onInvalidate((_name, tenantId) => {
    counter.forget(tenantId);
    for (const [hash, id] of tenantOfKey) if (id === tenantId) tenantOfKey.delete(hash);
  });
  const slots = tenantSlots(opts.maxInflight, opts.maxWaitMs);
  const holding = new WeakSet<Request>();
  const holdMs = opts.holdMs ?? 1000;
  const maxHeld = opts.maxHeld ?? 512;
  let held = 0;

  /**
   * A tenant that is refused and retries in a tight loop would otherwise get its 429s as fast as
   * the process can write them, and with a few hundred connections take the event loop from
   * everyone else (measured: another tenant's p50 went from 2 ms to 450 ms). So a refusal (over
   * the window, or past the queue) is held for half to all of holdMs, never past the end of the
   * block, before it is sent: each connection then costs about one cheap request a second.
   * Bounded by maxHeld, so held requests never crowd out others.
   */
  const pause = async (ms: number) => {
    if (held >= maxHeld || ms <= 0) return;
    held++;
    try {
      // Jittered, so a flood's held requests come back spread out rather than in one burst.
      await new Promise((r) => setTimeout(r, ms * (0.5 + Math.random() / 2)));
    } finally {
      held--;
    }
  };

  const concurrencyError = () =>
    new DomainError('rate_limited', 'too_many_concurrent_requests', `Too many requests in flight for this account (at most ${opts.maxInflight} at once, a few more queued); retry shortly`, {
      headers: RETRY_SOON,
    });

  const take = async (tenantId: string, req: Request, res: Response) => {
    if (!(await slots.acquire(tenantId, res))) {
      await pause(holdMs);
      throw concurrencyError();
    }
    holding.add(req);
  };

  const beforeAuth: RequestHandler = async (req, res, next) => {
    const hash = tokenHash(req);
    const tenantId = hash ? tenantOfKey.get(hash) : undefined;
    if (tenantId === undefined) return next();
    const block = counter.blocked(tenantId);
    if (block) {
      await pause(Math.min(holdMs, block.until - Date.now()));
      throw overLimit(res, { name: 'tenant', limit: block.limit, windowMs: opts.windowMs }, block.until);
    }
    await take(tenantId, req, res);
    next();
  };

  const afterAuth: RequestHandler = async (req, res, next) => {
    const tenant = tenantOf(req);
    const hash = tokenHash(req);
    if (hash && !tenantOfKey.has(hash)) {
      if (tenantOfKey.size >= KEY_CACHE_MAX) tenantOfKey.delete(tenantOfKey.keys().next().value!);
      tenantOfKey.set(hash, tenant.id);
    }
    const policy = { name: 'tenant', limit: tenant.rate_limit ?? opts.defaultMax, windowMs: opts.windowMs };
    // Over the window: refused before waiting for a slot, from memory when known.
    const known = counter.blocked(tenant.id, policy.limit);
    if (known) {
      await pause(Math.min(holdMs, known.until - Date.now()));
      throw overLimit(res, policy, known.until);
    }
    if (!holding.has(req)) await take(tenant.id, req, res);
    const err = await counter.hit(res, tenant.id, policy);
    if (err) throw err;
    next();
  };

  return { beforeAuth, afterAuth };
}

/** Per client IP on unauthenticated routes (registration, public status). */
export function ipRateLimit(db: Db, windowMs: number, max: number, prefix: string): RequestHandler {
  const counter = windowCounter(db, prefix, windowMs);
  return async (req, res, next) => {
    const err = await counter.hit(res, req.ip ?? 'unknown', { name: 'ip', limit: max, windowMs });
    if (err) throw err;
    next();
  };
}

/**
 * Requests made with a publishable key (checkout.js in a browser), per tenant and client IP: the
 * key is public, so one visitor must not spend the tenant's whole limit. Secret-key calls pass.
 */
export function publishableIpLimit(db: Db, windowMs: number, max: number): RequestHandler {
  const counter = windowCounter(db, 'publishable:', windowMs);
  return async (req, res, next) => {
    const p = req.principal;
    if (p?.kind !== 'tenant' || p.keyType !== 'publishable') return next();
    const err = await counter.hit(res, `${p.tenant.id}:${req.ip ?? 'unknown'}`, { name: 'publishable', limit: max, windowMs });
    if (err) throw err;
    next();
  };
}

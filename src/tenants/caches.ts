import { listen, type Listener } from '../db/listener.ts';
import type { Tx } from '../db/pool.ts';
import type { Logger } from '../logger.ts';

/** The channel of migrations 0015's and 0016's triggers; payload '<cache>:<tenant id>' ('' for global rows). */
export const INVALIDATE_CHANNEL = 'sandpay_invalidate';

export type CacheName = 'auth' | 'fraud';

interface Entry<V> {
  tenantId: string;
  value: V;
  expiresAt: number;
}

/**
 * A per-process map of values that belong to one tenant each (a key's lookup). Entries are dropped when the tenant's rows change (NOTIFY from a trigger,
 * so in every process, within milliseconds of the COMMIT), and live at most `ttlMs` anyway.
 * While the LISTEN connection is down a notification could be missed, so the cache then
 * answers nothing and the caller reads the database, as it would without a cache.
 */
export class TenantCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly isLive: () => boolean;
  private readonly ttlMs: number;
  private readonly max: number;
  constructor(isLive: () => boolean, ttlMs: number, max = 10_000) {
    this.isLive = isLive;
    this.ttlMs = ttlMs;
    this.max = max;
  }

  get(key: string): V | undefined {
    if (!this.isLive()) return undefined;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, tenantId: string, value: V, expiresAt = Date.now() + this.ttlMs): void {
    if (!this.isLive()) return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { tenantId, value, expiresAt: Math.min(expiresAt, Date.now() + this.ttlMs) });
  }

  dropTenant(tenantId: string): void {
    for (const [k, e] of this.entries) if (e.tenantId === tenantId) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }
}

export interface TenantCaches {
  /** Token hash → what authentication found for it (src/http/middleware/auth.ts). */
  auth: TenantCache<unknown>;
  /** Tenant id → its enabled fraud rules and the global ones (src/fraud/evaluate.ts). */
  fraud: TenantCache<unknown>;
  /** Drops a tenant's entries and makes reads in flight not store what they read. */
  invalidate(name: CacheName, tenantId: string): void;
  /** Called on every invalidation of a tenant (the rate limiter forgets its blocks then). */
  onInvalidate(fn: (name: CacheName, tenantId: string) => void): void;
  /** Resolves once LISTEN is in place (until then nothing is cached). */
  whenLive(): Promise<void>;
  /** Bumped by every notification (see readThrough). */
  generation(): number;
  close(): Promise<void>;
}

/**
 * One LISTEN connection per process feeds every cache. A read that started before an
 * invalidation must not refill the cache with what it read: each cache write is checked against
 * a generation counter bumped by every notification (see readThrough).
 */
export function startTenantCaches(opts: { connectionString: string; log: Logger; ttlMs?: number }): TenantCaches {
  let live = false;
  let generation = 0;
  let becameLive!: () => void;
  const firstLive = new Promise<void>((r) => (becameLive = r));
  const ttl = opts.ttlMs ?? 60_000;
  const auth = new TenantCache<unknown>(() => live, ttl);
  const fraud = new TenantCache<unknown>(() => live, ttl);
  const byName: Record<CacheName, TenantCache<unknown>> = { auth, fraud };
  const watchers: Array<(name: CacheName, tenantId: string) => void> = [];
  const invalidate = (name: CacheName, tenantId: string) => {
    generation++;
    // An empty tenant id is a row of no tenant (a global fraud rule): every tenant's entries go.
    if (tenantId === '') byName[name]?.clear();
    else byName[name]?.dropTenant(tenantId);
    for (const fn of watchers) fn(name, tenantId);
  };
  const listener: Listener = listen({
    connectionString: opts.connectionString,
    channel: INVALIDATE_CHANNEL,
    log: opts.log,
    onNotify(payload) {
      const colon = payload.indexOf(':');
      invalidate(payload.slice(0, colon) as CacheName, payload.slice(colon + 1));
    },
    onListening() {
      // Whatever changed while we were not listening is unknown: start empty.
      generation++;
      auth.clear();
      fraud.clear();
      live = true;
      becameLive();
    },
    onLost() {
      generation++;
      live = false;
      auth.clear();
      fraud.clear();
    },
  });
  const caches: TenantCaches = {
    auth,
    fraud,
    invalidate,
    onInvalidate: (fn) => void watchers.push(fn),
    whenLive: () => firstLive,
    generation: () => generation,
    async close() {
      live = false;
      await listener.close();
    },
  };
  return caches;
}

/**
 * Drops the tenant's cached entries in this process as soon as `t` commits, before its answer
 * is sent, so the caller's very next request sees the change. Other processes learn it from
 * the trigger's NOTIFY (migration 0015) a few milliseconds later.
 */
export function invalidateOnCommit(t: Tx, caches: TenantCaches | undefined, name: CacheName, tenantId: string): void {
  // (tenantId '' for rows of no tenant: every tenant's entries of that cache)
  if (caches) t.afterCommit(() => caches.invalidate(name, tenantId));
}

/**
 * Reads through a cache: a hit answers from memory; a miss reads and stores the result unless
 * an invalidation arrived while it was being read (then the next request reads again).
 */
export async function readThrough<V>(
  caches: TenantCaches | undefined,
  name: CacheName,
  key: string,
  read: () => Promise<{ tenantId: string; value: V; expiresAt?: number } | undefined>,
): Promise<V | undefined> {
  if (!caches) return (await read())?.value;
  const cache = caches[name] as TenantCache<V>;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const gen = caches.generation();
  const found = await read();
  if (found && caches.generation() === gen) cache.set(key, found.tenantId, found.value, found.expiresAt);
  return found?.value;
}

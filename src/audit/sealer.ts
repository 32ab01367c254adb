import type { Db } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import type { KeyStore } from '../secrets/keys.ts';
import { chainHash, GENESIS_HASH, rowMac } from './mac.ts';
import { chainsWithUnsealedRows, lockChainForSealing, sealRows, unsealedRowsWithHead, type UnsealedRow } from './store.ts';

/**
 * Chains committed audit rows. Rows are inserted unsealed, in their business transaction, with
 * no lock; the sealer gives each its place afterwards: seq, prev_hash and
 * hash = HMAC(chain, seq, prev_hash, mac), in id order among the rows committed so far. The chain
 * order is therefore seal order, which respects commit order per chain.
 *
 * Sealing one chain takes a per-chain advisory lock for a short transaction of its own, outside
 * any request's transaction: it serialises sealers (several processes), never payments. A
 * process seals a chain shortly after its commits that wrote to it (kick): the kicks of
 * `delayMs` (AUDIT_SEAL_DELAY_MS) are gathered, so a run of commits is sealed by one transaction
 * per chain instead of one each (at 1 connection that transaction cost ~1 ms of CPU per create);
 * a backstop sweeps chains left unsealed (a process that died between COMMIT and sealing), and
 * stop() seals what is still waiting.
 *
 * A row whose MAC does not match its contents was not written by Sandpay (or was altered before
 * sealing): it is left unsealed, and verification reports it as inserted.
 */
export interface Sealer {
  /** Seals these chains after the delay (kicks meanwhile are gathered); coalesced per chain, and at most a few seal transactions at once. */
  kick(chains: Iterable<string>): void;
  /** Seals one chain now, waiting for a sealer elsewhere if need be; answers how many rows it sealed. */
  sealNow(chain: string): Promise<number>;
  /** Seals every chain that has unsealed rows. */
  sealAll(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const BATCH = 500;
/** Seal transactions in flight per process, so sealing never takes more than a sliver of the pool. */
const CONCURRENCY = 2;
const BACKSTOP_MS = 5000;
const BUSY_RETRY_MS = 100;

/**
 * One batch: lock the chain (or give up if `wait` is false and another sealer has it), read its
 * head and the oldest unsealed rows, MAC-check them, and seal the genuine ones after the head.
 */
async function sealBatch(db: Db, key: Buffer, chain: string, afterId: string, wait: boolean, onForged: (row: UnsealedRow) => void) {
  return db.tx(async (t) => {
    const { locked } = await lockChainForSealing(t, chain, wait);
    if (!locked) return { busy: true, sealed: 0, lastId: afterId, full: false };
    // After the lock, so this statement's snapshot sees the previous sealer's commit. The head comes
    // with every unsealed row (no row: nothing to seal, so no head needed): one round trip.
    const rows = await unsealedRowsWithHead(t, chain, afterId, BATCH);
    const head = rows[0]?.head_seq != null ? { seq: rows[0].head_seq, hash: rows[0].head_hash! } : null;
    let seq = head ? BigInt(head.seq) : 0n;
    let prev = head?.hash ?? GENESIS_HASH;
    const ids: string[] = [];
    const seqs: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const row of rows) {
      if (row.mac === null || row.mac !== rowMac(key, row)) {
        onForged(row);
        continue;
      }
      seq += 1n;
      const hash = chainHash(key, chain, seq, prev, row.mac);
      ids.push(row.id);
      seqs.push(seq.toString());
      prevs.push(prev);
      hashes.push(hash);
      prev = hash;
    }
    if (ids.length) {
      const updated = await sealRows(t, ids, seqs, prevs, hashes);
      if (updated.length !== ids.length) throw new Error(`audit sealer: sealed ${updated.length} of ${ids.length} rows of ${chain}; rolled back`);
    }
    return { busy: false, sealed: ids.length, lastId: rows.at(-1)?.id ?? afterId, full: rows.length === BATCH };
  });
}

export interface SealerOptions {
  /** How long a kick waits for more kicks before its chains are sealed (0: at once). */
  delayMs?: number;
}

export const DEFAULT_SEAL_DELAY_MS = 50;

export function createSealer(db: Db, keys: KeyStore, log: Logger, opts: SealerOptions = {}): Sealer {
  const delayMs = opts.delayMs ?? DEFAULT_SEAL_DELAY_MS;
  /** Kicked, waiting for the debounce timer. */
  const waiting = new Set<string>();
  let debounce: NodeJS.Timeout | null = null;
  const queued = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const dirty = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const warned = new Set<string>();
  let stopped = false;

  const onForged = (row: UnsealedRow) => {
    if (warned.has(row.id) || warned.size > 10_000) return;
    warned.add(row.id);
    log.error({ component: 'audit', chain: row.chain, audit_row_id: row.id }, 'audit row with an invalid MAC left unsealed: it was not written by Sandpay, or was altered');
  };

  /** Every batch of one chain; `busy` when another sealer holds it (and will, or we will later, seal the rest). */
  async function sealChain(chain: string, wait: boolean): Promise<{ sealed: number; busy: boolean }> {
    let afterId = '0';
    let sealed = 0;
    for (;;) {
      const r = await sealBatch(db, keys.auditMacKey, chain, afterId, wait, onForged);
      sealed += r.sealed;
      if (r.busy || !r.full) return { sealed, busy: r.busy };
      afterId = r.lastId;
    }
  }

  const later = (chain: string, ms: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      enqueue([chain]);
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  function pump(): void {
    while (!stopped && running.size < CONCURRENCY && queued.size > 0) {
      const chain = queued.values().next().value as string;
      queued.delete(chain);
      const run = sealChain(chain, false).then(
        (r) => {
          if (r.busy) later(chain, BUSY_RETRY_MS);
        },
        (err: unknown) => {
          log.warn({ component: 'audit', chain, err }, 'sealing audit rows failed; retrying');
          later(chain, BACKSTOP_MS);
        },
      ).finally(() => {
        running.delete(chain);
        // Kicked while running: rows may have committed after this run read the chain. They wait
        // for the next gathering window like any kick: sealing again at once made sealing
        // continuous under load, about one seal transaction per create (issue 27: 2.37 commits
        // per create) instead of one per window.
        if (dirty.delete(chain)) kick([chain]);
        pump();
      });
      running.set(chain, run);
    }
  }

  function enqueue(chains: Iterable<string>): void {
    for (const chain of chains) {
      if (running.has(chain)) dirty.add(chain);
      else queued.add(chain);
    }
    pump();
  }

  function kick(chains: Iterable<string>): void {
    if (delayMs <= 0) return enqueue(chains);
    for (const chain of chains) waiting.add(chain);
    if (debounce || stopped) return;
    // Not unref'd: a short-lived process (a CLI command) waits the few ms to seal what it wrote.
    debounce = setTimeout(() => {
      debounce = null;
      const chains = [...waiting];
      waiting.clear();
      enqueue(chains);
    }, delayMs);
  }

  async function unsealedChains(): Promise<string[]> {
    const rows = await chainsWithUnsealedRows(db);
    return rows.map((r) => r.chain);
  }

  let backstop: NodeJS.Timeout | null = null;
  return {
    kick,
    sealNow: async (chain) => (await sealChain(chain, true)).sealed,
    async sealAll() {
      let sealed = 0;
      for (const chain of await unsealedChains()) sealed += (await sealChain(chain, true)).sealed;
      return sealed;
    },
    start() {
      const sweep = () =>
        unsealedChains().then(enqueue, (err: unknown) => log.warn({ component: 'audit', err }, 'audit sealer backstop failed'));
      void sweep();
      backstop = setInterval(sweep, BACKSTOP_MS);
      backstop.unref();
    },
    async stop() {
      stopped = true;
      if (backstop) clearInterval(backstop);
      for (const timer of timers) clearTimeout(timer);
      if (debounce) clearTimeout(debounce);
      debounce = null;
      await Promise.allSettled([...running.values()]);
      // What was kicked but not sealed yet: once, without waiting on another sealer (the backstop
      // of a running process, or this one's next start, seals anything left).
      const left = new Set([...waiting, ...queued, ...dirty]);
      waiting.clear();
      queued.clear();
      dirty.clear();
      for (const chain of left) {
        try {
          await sealChain(chain, false);
        } catch (err) {
          log.warn({ component: 'audit', chain, err }, 'sealing audit rows at shutdown failed; the backstop will');
        }
      }
    },
  };
}

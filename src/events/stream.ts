import type { Queryable } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import { EVENT_TYPES, eventBody } from './events.ts';
import type { EventHub } from './hub.ts';
import { eventsAfter, feedHorizon, type FeedRow } from './store.ts';

/** What a client asks of an event stream: which types, and where to resume. */
export interface EventStreamQuery {
  types?: string[] | undefined;
  last_event_id?: Position | undefined;
}

/**
 * A tenant's events in commit order, from a resume point on, for any live view (the API's SSE
 * stream, a dashboard). The position of an event is (tx, pos): its transaction's id and a row
 * counter (migration 0008). Both are taken before COMMIT, so they are not commit order by
 * themselves; what makes them safe to resume from is that the feed reads only events of
 * transactions older than the oldest one still running (the snapshot's xmin). Every such
 * transaction has finished, so nothing can commit later at a position the feed already passed:
 * "everything after (tx, pos)" neither misses a late commit nor repeats one, and the write path
 * takes no lock for it. The price: an event waits while an older transaction (in any database
 * of the cluster) is still open; the feed rechecks on a short timer until it can go.
 */

export interface Position {
  tx: bigint;
  pos: bigint;
}

export const formatPosition = (p: Position) => `${p.tx}-${p.pos}`;

/** A stream message id ("tx-pos"), or null when it is not one. */
export function parsePosition(s: string): Position | null {
  const m = /^(\d{1,20})-(\d{1,19})$/.exec(s);
  if (!m) return null;
  const p = { tx: BigInt(m[1]!), pos: BigInt(m[2]!) };
  return p.tx < 2n ** 64n && p.pos < 2n ** 63n ? p : null;
}

const after = (a: Position, b: Position) => a.tx > b.tx || (a.tx === b.tx && a.pos > b.pos);

export interface StreamEvent {
  id: string;
  body: ReturnType<typeof eventBody>;
}

export interface FeedSink {
  /** Awaited before the next event, so a slow reader holds the feed back (no unbounded buffer). */
  send(e: StreamEvent): Promise<void>;
  /** The hub closed (shutdown). */
  end(): void;
}

export interface EventFeed {
  /** Where the feed starts: the resume point, or now. */
  readonly start: string;
  open(sink: FeedSink): void;
  /** Checks the table now (a heartbeat's safety net against a lost notification). */
  poke(): void;
  close(): void;
}

const BATCH = 200;
const HELD_RETRY_MS = [20, 50, 100, 200, 500, 1000];

/** A type filter entry is an event type, "prefix.*", or "*". */
export function isTypePattern(p: string): boolean {
  if (p === '*') return true;
  if (p.endsWith('.*')) return EVENT_TYPES.some((t) => t.startsWith(p.slice(0, -1)));
  return (EVENT_TYPES as readonly string[]).includes(p);
}

export function matchesTypes(patterns: readonly string[] | null, type: string): boolean {
  if (!patterns) return true;
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

function eventsAfterPosition(db: Queryable, tenantId: string, p: Position): Promise<FeedRow[]> {
  return eventsAfter(db, tenantId, p.tx.toString(), p.pos.toString(), BATCH);
}

/**
 * Where a feed starts. From a resume point: there (unless it lies in the future, e.g. the
 * database was replaced, then from now). From now: at the horizon, skipping the few events
 * already committed above it, so the feed starts with what commits after it opened.
 */
async function startingPoint(db: Queryable, tenantId: string, resume: Position | null): Promise<{ cursor: Position; skip: Set<string> }> {
  const now = await feedHorizon(db, tenantId);
  if (resume && resume.tx < BigInt(now.xmax)) return { cursor: resume, skip: new Set() };
  return { cursor: { tx: BigInt(now.xmin), pos: 0n }, skip: new Set(now.recent) };
}

/**
 * Subscribes to the hub first and finds the starting point second, so an event committing in
 * between is either before the start or announced after it. Events flow to the sink once
 * open() is called: the replay from the table, then each new commit.
 */
export async function openEventFeed(opts: {
  db: Queryable;
  hub: EventHub;
  log: Logger;
  tenantId: string;
  /** Resume after this position (Last-Event-ID); null: from now on. */
  resume: Position | null;
  types: readonly string[] | null;
}): Promise<EventFeed> {
  let sink: FeedSink | null = null;
  let closed = false;
  let running = false;
  let again = false;
  let retry: NodeJS.Timeout | null = null;
  let heldFor = 0;

  const unsubscribe = opts.hub.subscribe(opts.tenantId, {
    wake: () => void pump(),
    closed: () => {
      closed = true;
      sink?.end();
    },
  });
  let start: Awaited<ReturnType<typeof startingPoint>>;
  try {
    start = await startingPoint(opts.db, opts.tenantId, opts.resume);
  } catch (err) {
    unsubscribe();
    throw err;
  }
  let cursor = start.cursor;
  const skip = start.skip;

  /** Reads and sends until caught up or held back; returns whether something was held back. */
  async function drain(): Promise<boolean> {
    for (;;) {
      const rows = await eventsAfterPosition(opts.db, opts.tenantId, cursor);
      for (const e of rows) {
        if (e.held) return true;
        if (closed) return false;
        const position = { tx: BigInt(e.tx), pos: BigInt(e.pos) };
        if (!skip.delete(e.id) && matchesTypes(opts.types, e.type)) await sink!.send({ id: formatPosition(position), body: eventBody(e) });
        if (after(position, cursor)) cursor = position;
      }
      if (rows.length < BATCH) return false;
    }
  }

  async function pump(): Promise<void> {
    if (!sink || closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    let held = false;
    try {
      do {
        again = false;
        held = await drain();
      } while (again && !closed);
    } catch (err) {
      // The database is away (restart): the next notification or heartbeat tries again.
      opts.log.warn({ err: (err as Error).message, tenant_id: opts.tenantId }, 'event stream read failed');
    } finally {
      running = false;
    }
    if (held && !closed && !retry) {
      retry = setTimeout(() => {
        retry = null;
        void pump();
      }, HELD_RETRY_MS[Math.min(heldFor++, HELD_RETRY_MS.length - 1)]);
    } else if (!held) {
      heldFor = 0;
    }
  }

  return {
    start: formatPosition(cursor),
    open(s) {
      sink = s;
      if (closed) s.end();
      else void pump();
    },
    poke: () => void pump(),
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      unsubscribe();
    },
  };
}

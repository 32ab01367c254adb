import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { isRetryableTxError } from './errors.ts';

export interface Queryable {
  /** All rows. */
  rows<R>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** The first row, or undefined. */
  maybeOne<R>(text: string, values?: readonly unknown[]): Promise<R | undefined>;
  /** The first row; throws when there is none (a bug, not a user error). */
  one<R>(text: string, values?: readonly unknown[]): Promise<R>;
}

/** What pg-boss needs to enqueue jobs inside our transaction. */
export interface JobDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

export interface Tx extends Queryable {
  /** Pass as `{ db: t.jobs }` to pg-boss so jobs commit or roll back with this transaction. */
  readonly jobs: JobDb;
  /**
   * A write whose result nobody reads: sent with the COMMIT, after everything else, in the same
   * round trip (statements run in the order they were deferred). If it fails, the transaction
   * rolls back and tx() throws its error.
   */
  defer(text: string, values?: readonly unknown[]): void;
  /**
   * Runs after the caller's work and before COMMIT, in registration order; 'seal' hooks run after
   * all others (the audit rows, so they are the last statements). A hook that only defers
   * statements costs no round trip.
   */
  beforeCommit(fn: () => Promise<void>, phase?: 'write' | 'seal'): void;
  /**
   * Runs once COMMIT has succeeded (never after a rollback), without delaying the caller: for
   * work that must see the committed rows, such as sealing audit rows. It must not throw.
   */
  afterCommit(fn: () => void): void;
  /**
   * Every later statement of this transaction fails with `reason`, and it ends in ROLLBACK
   * whatever the caller returns: for work started speculatively whose result is to be thrown
   * away (see src/http/idempotency.ts).
   */
  cancel(reason: Error): void;
  /** Waits for the database so far: statements sent while others are in flight share one. */
  readonly roundTrips: number;
  /** Writes to this transaction's socket so far (BEGIN to COMMIT): one per round trip when corking works. */
  readonly socketWrites: number;
}

export interface Db extends Queryable {
  readonly pool: pg.Pool;
  /** Every multi-statement change goes through here: one client, BEGIN/COMMIT, released in finally. */
  tx<T>(fn: (t: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface PoolOptions {
  connectionString: string;
  max: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  applicationName?: string;
}

function queryable(run: (text: string, values?: readonly unknown[]) => Promise<pg.QueryResult>): Queryable {
  return {
    async rows<R>(text: string, values?: readonly unknown[]) {
      return (await run(text, values)).rows as R[];
    },
    async maybeOne<R>(text: string, values?: readonly unknown[]) {
      return (await run(text, values)).rows[0] as R | undefined;
    },
    async one<R>(text: string, values?: readonly unknown[]) {
      const row = (await run(text, values)).rows[0] as R | undefined;
      if (row === undefined) throw new Error('expected a row, got none');
      return row;
    },
  };
}

const MAX_TX_ATTEMPTS = 3;

/**
 * The pool's socket (through pg's public `stream` option). node-postgres writes each protocol
 * message of each statement as it is sent (Parse, Bind, Describe, Execute, Sync), so a pipelined
 * transaction made one socket write per statement (8.7 `writev` per create, issue 27). This
 * socket corks itself at its first write of an event-loop turn and uncorks once the turn's
 * promise callbacks have run (setImmediate), so everything sent in one turn (a round trip's
 * statements) leaves in one `writev`. Nothing waits longer than the current turn. `writes`
 * counts the writes handed to the kernel (test/db/socket-writes.test.ts).
 */
export class CorkingSocket extends net.Socket {
  writes = 0;
  #corked = false;
  readonly #uncork = () => {
    this.#corked = false;
    this.uncork();
  };
  readonly #write = (...args: unknown[]): boolean => {
    if (!this.#corked) {
      this.#corked = true;
      this.cork();
      setImmediate(this.#uncork);
    }
    return (net.Socket.prototype.write as (...a: unknown[]) => boolean).apply(this, args);
  };
  // net.Socket.connect() sets `this.write = Socket.prototype.write` whenever `write` is not that
  // function (it undoes a half-closed socket's writeAfterFIN), so a prototype override would be
  // dropped: the corking write is installed after it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- net.Socket.connect's overloads, passed through
  override connect(...args: any[]): this {
    (net.Socket.prototype.connect as (...a: unknown[]) => this).apply(this, args);
    this.write = this.#write as net.Socket['write'];
    return this;
  }
  override _write(chunk: unknown, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writes++;
    super._write(chunk, encoding, cb);
  }
  override _writev(chunks: Array<{ chunk: unknown; encoding: BufferEncoding }>, cb: (err?: Error | null) => void): void {
    this.writes++;
    super._writev!(chunks, cb);
  }
}

/** The writes so far of a pool client's socket (0 for a socket that is not ours). */
export function socketWrites(client: pg.PoolClient): number {
  // A pool's clients are pg.Client (PoolClient types them as ClientBase, without `connection`).
  const stream = (client as unknown as pg.Client).connection.stream;
  return stream instanceof CorkingSocket ? stream.writes : 0;
}

/** Beyond this many distinct texts, statements go unprepared (a bound on every connection's memory). */
const MAX_PREPARED = 1000;

/**
 * Every parameterised statement is sent as a named prepared statement: a connection parses and
 * plans it once, then only binds and executes it (measured: parsing and planning were over half
 * of Postgres's CPU per create). Statements without parameters stay simple queries, which may
 * hold several commands. Our SQL is fixed text with parameters, so the set of names is small;
 * `names` (one per pool) remembers each text's name.
 */
function preparedQuery(names: Map<string, string>, text: string, values: readonly unknown[] | undefined): pg.QueryConfig {
  if (!values || values.length === 0) return { text };
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_PREPARED) return { text, values: values as unknown[] };
    name = `sp_${createHash('sha1').update(text).digest('base64url').slice(0, 24)}`;
    names.set(text, name);
  }
  return { name, text, values: values as unknown[] };
}

/** A cancelled transaction's result, carried through the ROLLBACK. */
class RolledBack {
  readonly result: unknown;
  constructor(result: unknown) {
    this.result = result;
  }
}

export function createDb(options: PoolOptions, log: Logger): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    // A full pool answers 503 after this wait instead of queueing requests without bound.
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    idle_in_transaction_session_timeout: 60_000,
    application_name: options.applicationName ?? 'sandpay',
    // Statements sent without waiting for the previous answer share a round trip (Tx.defer, BEGIN).
    pipeline: true,
    stream: () => new CorkingSocket(),
  });
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle database client error'));
  // pool.end() resolves before its connections have closed; close() waits for them, so whatever
  // stops the server next (embedded Postgres, a dropped test database) finds none left.
  const open = new Set<pg.PoolClient>();
  pool.on('connect', (c) => open.add(c));
  pool.on('remove', (c) => open.delete(c));

  const names = new Map<string, string>();
  const prepared = (text: string, values: readonly unknown[] | undefined) => preparedQuery(names, text, values);
  const run = (text: string, values?: readonly unknown[]) => pool.query(prepared(text, values));

  async function attempt<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // A checked-out client has no pool listener: a server that goes away between two statements
    // would otherwise be an uncaught 'error' event. The next statement fails and we roll back.
    let broken = false;
    const onError = (err: Error) => {
      broken = true;
      log.warn({ err: err.message }, 'database connection lost during a transaction');
    };
    client.on('error', onError);
    const hooks: Array<{ fn: () => Promise<void>; phase: 'write' | 'seal' }> = [];
    const deferred: Array<{ text: string; values: readonly unknown[] | undefined }> = [];
    const committed: Array<() => void> = [];
    let cancelled: Error | null = null;
    let closed = false;
    // The pool's clients pipeline (pipeline: true): a statement is written at once, even while
    // earlier ones are unanswered, and the server answers them in order. A round trip is a run of
    // statements with at least one unanswered.
    let inFlight = 0;
    let trips = 0;
    const writesBefore = socketWrites(client);
    const send = (config: pg.QueryConfig): Promise<pg.QueryResult> => {
      if (inFlight++ === 0) trips++;
      return client.query(config).finally(() => void inFlight--);
    };
    const mine = (config: pg.QueryConfig): Promise<pg.QueryResult> => {
      if (cancelled) return Promise.reject(cancelled);
      if (closed) return Promise.reject(new Error('statement sent after COMMIT'));
      return send(config);
    };
    const clientRun = (text: string, values?: readonly unknown[]) => mine(prepared(text, values));
    const t: Tx = {
      ...queryable(clientRun),
      jobs: { executeSql: clientRun },
      defer: (text, values) => {
        if (closed) throw new Error('statement deferred after COMMIT');
        deferred.push({ text, values });
      },
      beforeCommit: (fn, phase = 'write') => void hooks.push({ fn, phase }),
      afterCommit: (fn) => void committed.push(fn),
      cancel: (reason) => void (cancelled ??= reason),
      get roundTrips() {
        return trips;
      },
      get socketWrites() {
        return socketWrites(client) - writesBefore;
      },
    };
    // BEGIN goes out with the work's first statement (nothing but a dead connection fails it, and
    // then every statement behind it fails too).
    const begun = send({ text: 'BEGIN' });
    begun.catch(() => {}); // awaited below; this only keeps a failure from counting as unhandled meanwhile
    try {
      const result = await fn(t);
      await begun;
      if (cancelled) throw new RolledBack(result);
      for (const phase of ['write', 'seal'] as const) {
        for (let i = 0; i < hooks.length; i++) if (hooks[i]!.phase === phase) await hooks[i]!.fn();
      }
      // The deferred writes and the COMMIT in one round trip. If one of them fails the
      // transaction is aborted and the server answers the COMMIT with a rollback.
      closed = true;
      const outcomes = await Promise.allSettled([...deferred.map((d) => send(prepared(d.text, d.values))), send({ text: 'COMMIT' })]);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
      // An aborted transaction answers COMMIT with ROLLBACK and no error: a statement failed whose
      // error the caller swallowed. Nothing was written, so this must not look like success.
      const commit = outcomes.at(-1) as PromiseFulfilledResult<pg.QueryResult>;
      if (commit.value.command !== 'COMMIT') throw new Error(`the transaction was rolled back (the server answered COMMIT with ${commit.value.command})`);
      for (const fn of committed) {
        try {
          fn();
        } catch (err) {
          log.error({ err }, 'after-commit hook failed');
        }
      }
      return result;
    } catch (err) {
      closed = true;
      try {
        await send({ text: 'ROLLBACK' });
      } catch {
        broken = true; // the connection is gone; don't hand it back to the pool
      }
      if (err instanceof RolledBack) return err.result as T;
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  return {
    ...queryable(run),
    pool,
    async tx(fn) {
      for (let n = 1; ; n++) {
        try {
          return await attempt(fn);
        } catch (err) {
          if (n >= MAX_TX_ATTEMPTS || !isRetryableTxError(err)) throw err;
          log.debug({ attempt: n, code: (err as { code?: string }).code }, 'retrying transaction');
        }
      }
    },
    async close() {
      await pool.end();
      const closed = (async () => {
        while (open.size > 0) await once(pool, 'remove');
      })();
      // Bounded: a connection whose socket never reports its end must not hold up shutdown.
      await Promise.race([closed, delay(5000, undefined, { ref: false })]);
    },
  };
}

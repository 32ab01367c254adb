import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Db, Queryable, Tx } from '../../src/db/pool.ts';
import { randomBase62 } from '../../src/ids.ts';
import { summarise, type Summary } from './stats.ts';

export interface Stmt {
  text: string;
  values: unknown[];
}

/** What one request did to the database: autocommit statements and transactions, in order. */
export type Unit = { kind: 'pool'; stmt: Stmt } | { kind: 'tx'; stmts: Stmt[]; roundTrips: number; socketWrites: number };

/**
 * A Db that records every statement it runs (the app's own SQL, pg-boss's job insert and the
 * audit append included), so the baseline replays exactly what a create does: nothing retyped.
 */
export function recordingDb(real: Db): { db: Db; units: Unit[] } {
  const units: Unit[] = [];
  const wrap = (q: Queryable, sink: (s: Stmt) => void): Queryable => ({
    rows: (text, values) => (sink({ text, values: [...(values ?? [])] }), q.rows(text, values)),
    maybeOne: (text, values) => (sink({ text, values: [...(values ?? [])] }), q.maybeOne(text, values)),
    one: (text, values) => (sink({ text, values: [...(values ?? [])] }), q.one(text, values)),
  });
  const db: Db = {
    ...wrap(real, (stmt) => units.push({ kind: 'pool', stmt })),
    pool: real.pool,
    close: () => real.close(),
    tx: (fn) =>
      real.tx((t) => {
        const unit: Unit = { kind: 'tx', stmts: [], roundTrips: 0, socketWrites: 0 };
        units.push(unit);
        const sink = (s: Stmt) => unit.stmts.push(s);
        // The real transaction counts its round trips (BEGIN and COMMIT included); read at its end.
        t.afterCommit(() => {
          unit.roundTrips = t.roundTrips;
          unit.socketWrites = t.socketWrites;
        });
        const recorded: Tx = {
          ...wrap(t, sink),
          jobs: { executeSql: (text, values) => (sink({ text, values: [...(values ?? [])] }), t.jobs.executeSql(text, values)) },
          defer: (text, values) => (sink({ text, values: [...(values ?? [])] }), t.defer(text, values)),
          beforeCommit: (hook, phase) => t.beforeCommit(hook, phase),
          afterCommit: (fn) => t.afterCommit(fn),
          cancel: (reason) => t.cancel(reason),
          get roundTrips() {
            return t.roundTrips;
          },
          get socketWrites() {
            return t.socketWrites;
          },
        };
        return fn(recorded);
      }),
  };
  return { db, units };
}

/** Values created per request: payment/event/delivery/request ids, job uuids, and the marker we put in the key and email. */
export const FRESH_TOKEN = /(?:pay|evt|whd|req)_[0-9A-Za-z]{14}(?:[0-9A-Za-z]{6})?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|RECORD[0-9A-Za-z]{10}/gi;

function freshFor(token: string): string {
  if (/^[0-9a-f]{8}-/.test(token)) return randomUUID();
  if (/^record/i.test(token)) return randomBase62(16);
  const prefix = token.slice(0, token.indexOf('_') + 1);
  // The same length: a payment's id is 14 characters (Razorpay's), an event's 20.
  return `${prefix}${randomBase62(token.length - prefix.length)}`;
}

/** Replaces every fresh token with this iteration's value (the same token maps to the same value). */
export function substitute(value: unknown, map: Map<string, string>): unknown {
  const swap = (s: string) => s.replace(FRESH_TOKEN, (tok) => map.get(tok) ?? (map.set(tok, freshFor(tok)), map.get(tok)!));
  if (typeof value === 'string') return swap(value);
  if (Array.isArray(value)) return value.map((v) => substitute(v, map));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return JSON.parse(swap(JSON.stringify(value)));
  return value;
}

/** Replays the recorded units through `pg` at the given concurrency, fresh ids each time. */
export async function replayThroughPg(connectionString: string, units: Unit[], connections: number, durationSec: number, poolMax: number): Promise<Summary & { errors: number }> {
  const pool = new pg.Pool({ connectionString, max: poolMax });
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + durationSec * 1000;
  const loop = async () => {
    while (Date.now() < end) {
      const map = new Map<string, string>();
      const started = performance.now();
      try {
        for (const u of units) {
          if (u.kind === 'pool') {
            await pool.query(u.stmt.text, substitute(u.stmt.values, map) as unknown[]);
            continue;
          }
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            for (const s of u.stmts) await c.query(s.text, substitute(s.values, map) as unknown[]);
            await c.query('COMMIT');
          } catch (err) {
            await c.query('ROLLBACK').catch(() => {});
            throw err;
          } finally {
            c.release();
          }
        }
        latencies.push(performance.now() - started);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  await pool.end();
  return { ...summarise(latencies, durationSec), errors };
}

/**
 * The same units as a pgbench script: parameters inlined as literals, each fresh token replaced
 * by a pgbench random variable so every transaction writes new rows.
 */
export function pgbenchScript(units: Unit[]): string {
  const vars = new Map<string, string>();
  const varFor = (token: string) => {
    if (!vars.has(token)) vars.set(token, `v${vars.size}`);
    const v = vars.get(token)!;
    // Decimal digits are valid hex, so a uuid can end in a 12-digit random number.
    if (/^[0-9a-f]{8}-/.test(token)) return `00000000-0000-4000-8000-:${v}`;
    if (/^record/i.test(token)) return `R:${v}`;
    return `${token.slice(0, token.indexOf('_') + 1)}:${v}`;
  };
  const literal = (value: unknown): string => {
    if (value === null || value === undefined) return 'NULL';
    return `'${prepare(value).replace(FRESH_TOKEN, varFor).replace(/'/g, "''")}'`;
  };
  const inline = (s: Stmt) => `${s.text.replace(/\$(\d+)/g, (_m, n: string) => literal(s.values[Number(n) - 1]))};`;
  const lines: string[] = [];
  for (const u of units) {
    if (u.kind === 'pool') lines.push(inline(u.stmt));
    else lines.push('BEGIN;', ...u.stmts.map(inline), 'COMMIT;');
  }
  const header = [...vars.values()].map((v) => `\\set ${v} random(100000000000, 999999999999)`);
  return [...header, ...lines].join('\n') + '\n';
}

/** The text node-postgres would send for a parameter. */
function prepare(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map((v) => (v === null ? 'NULL' : `"${String(prepare(v)).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The request log is written by a background batch (one INSERT per 100 ms for every request in
 * it, src/request-log/store.ts), not by a request; it lands in a recording window only by timing.
 */
export const isRequestLogBatch = (u: Unit) => u.kind === 'pool' && /^\s*INSERT INTO request_log\b/.test(u.stmt.text);

/**
 * Round trips to the database: each autocommit statement is one; a transaction counts its own
 * (Tx.roundTrips: statements sent while others are unanswered share one, so BEGIN rides with the
 * first statement and the deferred writes with the COMMIT).
 */
export function roundTrips(units: Unit[]): number {
  return units.reduce((n, u) => n + (u.kind === 'pool' ? 1 : u.roundTrips), 0);
}

/**
 * Socket writes to the database: a transaction counts its own (Tx.socketWrites, from its
 * connection's CorkingSocket); an autocommit statement is at least one.
 */
export function socketWrites(units: Unit[]): number {
  return units.reduce((n, u) => n + (u.kind === 'pool' ? 1 : u.socketWrites), 0);
}

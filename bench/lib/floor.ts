/**
 * The machine's floor for a create, measured in the same run (issue 27), each in a child process
 * of its own so its CPU is counted alone (bench/lib/cpu.ts):
 *  - `pipeline`: the recorded create transaction (bench/lib/baseline.ts recordCreate) replayed
 *    through Sandpay's own Db (src/db/pool.ts: named prepared statements, pipelined, one corked
 *    write per round trip), every statement sent at once with the COMMIT: one round trip, fresh
 *    ids each time. What Postgres and a client cannot do with less.
 *  - `http`: a bare node:http server answering a small JSON body.
 * A scenario's CPU per request divided by the floor's is its ratio (target ≤ 2).
 *
 * As a child: `node bench/lib/floor.ts pipeline <database url> <units.json> <count> <connections>`
 * or `node bench/lib/floor.ts http`, which prints its URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createDb } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { substitute, type Unit } from './baseline.ts';

const SELF = fileURLToPath(import.meta.url);

export interface Child {
  child: ChildProcess;
  /** The child's next line: its URL or "ready" first, then the pipeline's result. */
  line(): Promise<string>;
}

function run(args: string[]): Child {
  const child = spawn(process.execPath, [SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const lines: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const l = out.slice(0, nl);
      out = out.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(l);
      else lines.push(l);
    }
  });
  return {
    child,
    line: () => (lines.length ? Promise.resolve(lines.shift()!) : new Promise<string>((r) => waiting.push(r))),
  };
}

/**
 * Starts the pipeline replay: its first line ("ready") once connected and warm; it starts on
 * SIGUSR2; its second line is {count, failed, seconds}, printed before its connections close (so
 * their backends are still there to be sampled); SIGTERM ends it.
 */
export function startPipelineFloor(url: string, unitsFile: string, count: number, connections: number): Child {
  return run(['pipeline', url, unitsFile, String(count), String(connections)]);
}

export function startHttpFloor(): Child {
  return run(['http']);
}

async function pipelineChild(url: string, unitsFile: string, count: number, connections: number) {
  const units = JSON.parse(readFileSync(unitsFile, 'utf8')) as Unit[];
  const tx = units.find((u) => u.kind === 'tx');
  if (!tx || tx.kind !== 'tx') throw new Error('no transaction recorded');
  const db = createDb({ connectionString: url, max: connections, connectTimeoutMs: 5000, statementTimeoutMs: 15000 }, createLogger('silent'));
  // Connections and prepared statements warm before the parent's first CPU sample.
  const once = () =>
    db.tx(async (t) => {
      const map = new Map<string, string>();
      for (const s of tx.stmts) t.defer(s.text, substitute(s.values, map) as unknown[]);
    });
  await Promise.all(Array.from({ length: connections }, () => once()));
  // Waits for the parent's "go" (SIGUSR2) so its first CPU sample comes before the work; listening
  // before saying ready (SIGUSR2's default action ends the process).
  const go = new Promise<void>((r) => process.once('SIGUSR2', () => r()));
  const stop = new Promise<void>((r) => process.once('SIGTERM', () => r()));
  process.stdout.write('ready\n');
  await go;
  let left = count;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (left-- > 0) await once().catch(() => void failed++);
  }));
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ count, failed, seconds })}\n`);
  await stop;
  await db.close();
}

function httpChild() {
  const body = JSON.stringify({ object: 'payment', id: 'pay_00000000000000000000', status: 'success' });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1] === SELF) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'pipeline') {
    pipelineChild(rest[0]!, rest[1]!, Number(rest[2]), Number(rest[3])).then(() => process.exit(0), (err) => {
      console.error(err);
      process.exit(1);
    });
  } else if (mode === 'http') httpChild();
}

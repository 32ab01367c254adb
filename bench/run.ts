/**
 * npm run bench: measures Sandpay against the database's own limit and writes
 * bench/results.json and the results table in bench/README.md.
 *
 * Env: DATABASE_URL (else a fresh embedded Postgres), BENCH_DURATION (s per load step, 15),
 * BENCH_WEBHOOK_SECONDS (30), BENCH_WEBHOOK_RATE (events/s, 200), BENCH_WEBHOOK_CONCURRENCY (the worker's, 32), BENCH_CPU_PROF=1 (profile the API),
 * BENCH_ONLY=create,tenants,... (run only these scenarios; see SCENARIOS), BENCH_CREATE_REQUESTS
 * (creates per CPU measurement, 1500).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.ts';
import { createDb } from '../src/db/pool.ts';
import { createApp } from '../src/http/app.ts';
import { createBoss, QUEUES } from '../src/jobs/boss.ts';
import { createLogger } from '../src/logger.ts';
import { startAudit } from '../src/audit/context.ts';
import { openKeyStore } from '../src/secrets/keys.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { startTenantCaches } from '../src/tenants/caches.ts';
import { wiring } from '../src/wiring.ts';
import { isRequestLogBatch, pgbenchScript, recordingDb, replayThroughPg, roundTrips, socketWrites, type Unit } from './lib/baseline.ts';
import { startHttpFloor, startPipelineFloor } from './lib/floor.ts';
import { settledCommits } from './lib/commits.ts';
import { scaleScenario } from './lib/scale.ts';
import { flood } from './lib/flood.ts';
import { load, type LoadResult } from './lib/load.ts';
import { startSandpay, type SandpayProcess } from './lib/processes.ts';
import { cpuPer, sampleCpu, type CpuPer } from './lib/cpu.ts';
import { LatencyReceiver } from './lib/receiver.ts';
import { writeReport } from './lib/report.ts';
import { summarise } from './lib/stats.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const WEBHOOK_SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 30);
const WEBHOOK_RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 200);
const CONNECTIONS = [1, 8, 32];
const CREATE_REQUESTS = Number(process.env.BENCH_CREATE_REQUESTS ?? 1500);
const SCENARIOS = ['create', 'floor', 'stripe', 'tenants', 'stayup', 'baseline', 'read', 'storm', 'webhooks', 'dlq', 'fairness', 'scale'] as const;
/** Payments of the one tenant of the scale scenario (issue 27: every read within 2x of an empty tenant's). */
const SCALE_ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 1_000_000);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
/** Whether a scenario runs (BENCH_ONLY=create runs the create scenarios alone, for quick iterations). */
const runs = (s: (typeof SCENARIOS)[number]) => !ONLY || ONLY.has(s);
const READ_ROWS = 100_000;
const DLQ_TARGET = 10_000;
const FLOOD_CONNECTIONS = 300;
const ADMIN = 'bench-admin-token-0123456789abcdef';
/** Every bench process (and the in-process recorder) shares one master key: the database refuses another. */
const MASTER_KEY = 'b'.repeat(64);
const WORK = path.join(PROJECT_ROOT, 'bench', '.work');
const log = createLogger('silent');
const say = (msg: string) => process.stdout.write(`[bench] ${msg}\n`);

const card = { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' };
const paymentBody = (email: string) => JSON.stringify({ amount: 5000, currency: 'INR', method: 'card', card, customer_email: email });

async function api(base: string, method: string, p: string, key: string, body?: unknown) {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (res.status >= 300) throw new Error(`${method} ${p} -> ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function register(base: string, name: string) {
  const res = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, email: `${name}-${randomUUID()}@bench.test` }),
  });
  return ((await res.json()) as { id: string; secret_key: string });
}

async function database(): Promise<{ name: string; url: string; adminUrl: string; embedded: EmbeddedPostgres | null; drop(): Promise<void> }> {
  const name = `sandpay_bench_${Date.now()}`;
  if (process.env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${name}`;
    return { name, url: u.toString(), adminUrl: process.env.DATABASE_URL, embedded: null, drop: async () => {} };
  }
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true, mode: 0o755 });
  // Default durability (fsync on): the numbers are what a developer's machine would see.
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(WORK, 'db'), port: 0, database: name, log, persistent: false, postgresFlags: ['-c', 'max_connections=300'] });
  return { name, url: embedded.url, adminUrl: embedded.adminUrl, embedded, drop: embedded.stop };
}

const rssOf = async (base: string) => ((await api(base, 'GET', '/api/v1/admin/metrics', ADMIN)) as { process: { rss_bytes: number } }).process.rss_bytes;

/** Records the exact statements of one POST /payments, through an in-process app on a recording Db. */
async function recordCreate(url: string, sk: string): Promise<Unit[]> {
  const config = loadConfig({ DATABASE_URL: url, SANDPAY_ROLE: 'api', ADMIN_TOKEN: ADMIN, RATE_LIMIT_TENANT_MAX: '1000000000', LOG_LEVEL: 'silent', SANDPAY_MASTER_KEY: MASTER_KEY, DATA_DIR: path.join(WORK, 'data') });
  const real = createDb({ connectionString: url, max: 4, connectTimeoutMs: 3000, statementTimeoutMs: 15000 }, log);
  const { db, units } = recordingDb(real);
  const caches = startTenantCaches({ connectionString: url, log });
  await caches.whenLive();
  const keys = await openKeyStore(config, log);
  // On the real Db: the sealer's own transactions (after the create's COMMIT) are not part of the create.
  const audit = await startAudit({ db: real, keys, log, config });
  const boss = createBoss(url, config, log, { worker: false });
  await boss.start();
  const server = createServer(createApp({ db, boss, config, log, keys, audit: audit.context, caches, ...wiring(), jobs: { running: () => true } }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A first create warms the per-process caches (keys, endpoints, prepared statements); only the
  // second is recorded, as that is what every create but a process's first costs.
  const warm = await fetch(`${base}/api/v1/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json', 'idempotency-key': `warm-${randomUUID()}` },
    body: paymentBody(`warm-${randomUUID()}@bench.test`),
  });
  if (warm.status !== 201) throw new Error(`warm-up create failed: ${warm.status} ${await warm.text()}`);
  units.length = 0;
  // Markers the replay recognises and replaces per iteration (see FRESH_TOKEN).
  const res = await fetch(`${base}/api/v1/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json', 'idempotency-key': 'idem-RECORD0000000000' },
    body: paymentBody('c-RECORD0000000000@bench.test'),
  });
  if (res.status !== 201) throw new Error(`recording create failed: ${res.status} ${await res.text()}`);
  await new Promise((r) => server.close(r));
  await boss.stop({ graceful: false });
  await audit.stop();
  await caches.close();
  await real.close();
  // The request log's background batch (every 100 ms, for all requests) is not the create's.
  return units.filter((u) => !isRequestLogBatch(u));
}

/**
 * Where a first attempt's time goes, from the rows it left (p50/p95/p99, ms): `to_fetch` from the
 * event's created_at (its transaction's start) to the worker fetching the job, `to_recorded`
 * from the fetch to the attempt's row (claim, POST, record).
 */
async function deliveryStages(sql: pg.Pool, tenantId: string, since: Date) {
  const { rows } = await sql.query(
    `SELECT percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM j.started_on - e.created_at) * 1000) AS to_fetch,
            percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM a.created_at - j.started_on) * 1000) AS to_recorded
       FROM webhook_deliveries d
       JOIN events e ON e.id = d.event_id
       JOIN webhook_attempts a ON a.delivery_id = d.id AND a.attempt = 1
       JOIN pgboss.job j ON j.id = d.job_id
      WHERE d.tenant_id = $1 AND e.created_at >= $2`,
    [tenantId, since],
  );
  const round = (xs: number[] | null) => (xs ?? []).map((x) => Math.round(Number(x)));
  return { to_fetch: round(rows[0].to_fetch), to_recorded: round(rows[0].to_recorded) };
}

function runPgbench(url: string, script: string, connections: number, seconds: number) {
  const file = path.join(WORK, 'create.pgbench.sql');
  writeFileSync(file, script);
  const out = spawnSync('pgbench', ['-n', '-M', 'simple', '-c', String(connections), '-j', String(Math.min(connections, os.cpus().length)), '-T', String(seconds), '-f', file, url], { encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(out.stdout)?.[1];
  const avg = /latency average = ([\d.]+) ms/.exec(out.stdout)?.[1];
  const failed = /number of failed transactions: (\d+)/.exec(out.stdout)?.[1];
  if (!tps) throw new Error(`pgbench failed: ${out.stderr || out.stdout}`);
  return { connections, per_second: Number(tps), avg_ms: Number(avg), failed: Number(failed ?? 0) };
}

async function main() {
  const started = new Date();
  say(`database: ${process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'fresh embedded Postgres'}`);
  const dbh = await database();
  const sql = new pg.Pool({ connectionString: dbh.url, max: 4 });
  sql.on('error', () => {}); // the database is dropped at the end while connections close
  const common = {
    NODE_ENV: 'production', DATABASE_URL: dbh.url, HOST: '127.0.0.1', PORT: '0', ADMIN_TOKEN: ADMIN, WEBHOOK_ALLOW_PRIVATE: 'true',
    SANDPAY_MASTER_KEY: MASTER_KEY, DATA_DIR: path.join(WORK, 'data'),
    // The single-tenant scenarios measure throughput, not the per-tenant share (scenario 7 does).
    TENANT_MAX_INFLIGHT: '100000',
    RATE_LIMIT_TENANT_MAX: '1000000000', RATE_LIMIT_REGISTER_MAX: '1000000', MAX_INFLIGHT_REQUESTS: '10000',
  };
  const profArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(WORK, 'prof')}`] : [];
  // The API runs without workers so the create numbers measure the HTTP path alone; workers are
  // started for the webhook scenarios.
  const apiProc: SandpayProcess = await startSandpay({ ...common, SANDPAY_ROLE: 'api' }, profArgs);
  const base = apiProc.url!;
  const receiver = await new LatencyReceiver().start();
  const results: Record<string, unknown> = {};

  try {
    const pgVersion = (await sql.query('SHOW server_version')).rows[0].server_version as string;
    results.machine = {
      cpu: os.cpus()[0]?.model, cores: os.cpus().length, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version,
      postgres: pgVersion, database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (fsync on)', date: started.toISOString(),
    };

    // ---- 1. create ----
    const shop = await register(base, 'bench-create');
    await api(base, 'POST', '/api/v1/webhook-endpoints', shop.secret_key, { url: receiver.url, events: ['*'] });
    await api(base, 'POST', '/api/v1/fraud-rules', shop.secret_key, { name: 'velocity per email', type: 'velocity', params: { max_count: 1000, window_seconds: 60, per: 'customer_email' }, action: 'flag' });
    await api(base, 'POST', '/api/v1/fraud-rules', shop.secret_key, { name: 'amount limit', type: 'amount_limit', params: { max_amount: 10_000_000 }, action: 'flag' });
    await new Promise((r) => setTimeout(r, 2000));
    const rssIdle = await rssOf(base);
    const createHeaders = { authorization: `Bearer ${shop.secret_key}`, 'content-type': 'application/json' };
    const nextCreate = () => ({ body: paymentBody(`c-${randomUUID()}@bench.test`), headers: { 'idempotency-key': randomUUID() } });
    /** A fixed number of creates, with the CPU they cost (API process + the database's backends). */
    const measured = async (connections: number, amount: number, next: () => { body: string; headers: Record<string, string> } = nextCreate, headers: Record<string, string> = createHeaders, path = '/api/v1/payments') => {
      const before = sampleCpu([apiProc.child.pid!], dbh.name);
      const r = await load({ url: base, path, method: 'POST', connections, durationSec: DURATION, amount, headers, next });
      const after = sampleCpu([apiProc.child.pid!], dbh.name);
      const ok = Object.entries(r.statuses).reduce((n, [code, c]) => n + (code.startsWith('2') ? c : 0), 0);
      return { ...r, cpu_per_create: cpuPer(before, after, ok) as CpuPer };
    };
    const create: Array<LoadResult & { cpu_per_create: CpuPer }> = [];
    let rssWarm = rssIdle;
    if (runs('create')) {
      // Warm-up (JIT, caches, pooled connections), not measured.
      await load({ url: base, path: '/api/v1/payments', method: 'POST', connections: 8, durationSec: DURATION, amount: 200, headers: createHeaders, next: nextCreate });
      rssWarm = await rssOf(base);
      // Commits per create from pg_stat_database (every commit of the database, the sealer's and
      // LISTEN wake-ups' included), around all the measured creates.
      const commits0 = await settledCommits(dbh.adminUrl, dbh.name);
      for (const connections of CONNECTIONS) {
        say(`create: ${CREATE_REQUESTS} creates on ${connections} connection(s)`);
        create.push(await measured(connections, CREATE_REQUESTS));
      }
      const commits1 = await settledCommits(dbh.adminUrl, dbh.name);
      results.create = create;
      results.commits_per_create = Math.round(((commits1 - commits0) / (CREATE_REQUESTS * CONNECTIONS.length)) * 100) / 100;
      say(`commits per create: ${results.commits_per_create}`);
    }
    // ---- 1a. the same payment through the Stripe face: stripe-node's form body, a PaymentIntent created and confirmed ----
    if (runs('stripe')) {
      const stripeHeaders = { authorization: `Bearer ${shop.secret_key}`, 'content-type': 'application/x-www-form-urlencoded' };
      const nextIntent = () => ({
        body: `amount=5000&currency=usd&payment_method=pm_card_visa&confirm=true&receipt_email=s-${randomUUID()}%40bench.test&metadata[cart]=42`,
        headers: { 'idempotency-key': `stripe-node-retry-${randomUUID()}` },
      });
      await load({ url: base, path: '/v1/payment_intents', method: 'POST', connections: 8, durationSec: DURATION, amount: 200, headers: stripeHeaders, next: nextIntent });
      const stripe: unknown[] = [];
      for (const connections of CONNECTIONS) {
        say(`stripe face: ${CREATE_REQUESTS} PaymentIntents created and confirmed on ${connections} connection(s)`);
        stripe.push(await measured(connections, CREATE_REQUESTS, nextIntent, stripeHeaders, '/v1/payment_intents'));
      }
      results.stripe_create = stripe;
    }
    const rssAfter = await rssOf(base);
    results.memory = {
      rss_idle_mb: Math.round(rssIdle / 2 ** 20), rss_after_warmup_mb: Math.round(rssWarm / 2 ** 20), rss_after_create_mb: Math.round(rssAfter / 2 ** 20),
      // Goal: within 20 % of the post-warm-up RSS (no growth with work).
      growth_after_warmup: Math.round((rssAfter / rssWarm - 1) * 100) / 100,
    };

    // Round trips of one create, counted from a recording Db (the second create: caches warm).
    const units = await recordCreate(dbh.url, shop.secret_key);
    const statements = units.reduce((n, u) => n + (u.kind === 'pool' ? 1 : u.stmts.length + 2), 0);
    results.round_trips = {
      per_create: roundTrips(units),
      socket_writes_per_create: socketWrites(units),
      statements_per_create: statements,
      units: units.map((u) => (u.kind === 'pool' ? 'autocommit: ' + u.stmt.text.trim().split(/\s+/).slice(0, 3).join(' ') : `transaction of ${u.stmts.length} statements`)),
      statements: units.flatMap((u) => (u.kind === 'pool' ? [u.stmt.text] : ['BEGIN', ...u.stmts.map((x) => x.text), 'COMMIT'])).map((t) => t.trim().replace(/\s+/g, ' ').slice(0, 90)),
    };
    say(`round trips per create: ${roundTrips(units)}, socket writes: ${socketWrites(units)}`);
    const unitsFile = path.join(WORK, 'create-units.json');
    writeFileSync(unitsFile, JSON.stringify(units));

    // ---- 1d. the floor, in this run: the recorded transaction in one prepared pipeline, a bare node:http answer ----
    if (runs('floor')) {
      const floor: Array<{ connections: number; pipeline: CpuPer; http: CpuPer; total_ms: number; pipeline_per_second: number }> = [];
      for (const connections of [1, 8]) {
        say(`floor: ${CREATE_REQUESTS} recorded create transactions in one pipeline each, ${connections} connection(s)`);
        const p = startPipelineFloor(dbh.url, unitsFile, CREATE_REQUESTS, connections);
        await p.line(); // ready
        const p0 = sampleCpu([p.child.pid!], dbh.name);
        p.child.kill('SIGUSR2');
        const done = JSON.parse(await p.line()) as { count: number; failed: number; seconds: number };
        const pipeline = cpuPer(p0, sampleCpu([p.child.pid!], dbh.name), done.count - done.failed);
        p.child.kill('SIGTERM');
        say(`floor: bare node:http, ${CREATE_REQUESTS} requests, ${connections} connection(s)`);
        const h = startHttpFloor();
        const hurl = await h.line();
        const h0 = sampleCpu([h.child.pid!], dbh.name);
        const hr = await load({ url: hurl, path: '/', connections, durationSec: DURATION, amount: CREATE_REQUESTS, headers: {} });
        const http = cpuPer(h0, sampleCpu([h.child.pid!], dbh.name), hr.count);
        h.child.kill('SIGTERM');
        floor.push({ connections, pipeline, http, total_ms: Math.round((pipeline.total_ms + http.total_ms) * 100) / 100, pipeline_per_second: Math.round(done.count / done.seconds) });
      }
      results.floor = floor;
      // Each create row against the floor at its connection count (the nearest measured).
      const floorAt = (c: number) => floor.reduce((best, f) => (Math.abs(f.connections - c) < Math.abs(best.connections - c) ? f : best));
      results.create_vs_floor = create.map((c) => ({ connections: c.connections, ratio: Math.round((c.cpu_per_create.total_ms / floorAt(c.connections).total_ms) * 100) / 100 }));
    }

    // ---- 1b. one tenant vs eight at 64 connections (the audit chain no longer serialises a tenant) ----
    if (runs('tenants')) {
      const shops = [shop];
      for (let i = 1; i < 8; i++) {
        const s8 = await register(base, `bench-create-${i}`);
        await api(base, 'POST', '/api/v1/webhook-endpoints', s8.secret_key, { url: receiver.url, events: ['*'] });
        await api(base, 'POST', '/api/v1/fraud-rules', s8.secret_key, { name: 'velocity per email', type: 'velocity', params: { max_count: 1000, window_seconds: 60, per: 'customer_email' }, action: 'flag' });
        await api(base, 'POST', '/api/v1/fraud-rules', s8.secret_key, { name: 'amount limit', type: 'amount_limit', params: { max_amount: 10_000_000 }, action: 'flag' });
        shops.push(s8);
      }
      let n = 0;
      const spread = () => ({ ...nextCreate(), headers: { 'idempotency-key': randomUUID(), authorization: `Bearer ${shops[n++ % shops.length]!.secret_key}` } });
      const tenants: Record<string, unknown> = {};
      // Interleaved, twice, so a neighbour's burst on this shared box hits both alike.
      for (const round of [1, 2]) {
        say(`create: 64 connections, one tenant (round ${round})`);
        tenants[`one_tenant_${round}`] = await measured(64, CREATE_REQUESTS * 2);
        say(`create: 64 connections over 8 tenants (round ${round})`);
        tenants[`eight_tenants_${round}`] = await measured(64, CREATE_REQUESTS * 2, spread);
      }
      results.tenants = tenants;
    }

    // ---- 1c. stays up at 256 connections: 2xx or a quick 503/429, never a wedge ----
    if (runs('stayup')) {
      say('stay-up: 256 connections');
      const r = await load({ url: base, path: '/api/v1/payments', method: 'POST', connections: 256, durationSec: Math.min(DURATION, 15), headers: createHeaders, next: nextCreate });
      results.stay_up = { ...r, wedged: r.count === 0 || r.errors > r.count / 10 };
    }

    // ---- 2. baseline: the same statements, straight through pg (and pgbench) ----
    if (runs('baseline') && create.length) {
    const baseline: Array<{ connections: number; per_second: number; p99_ms: number }> = [];
    for (const connections of CONNECTIONS) {
      say(`baseline (pg): ${connections} connection(s)`);
      baseline.push({ connections, ...(await replayThroughPg(dbh.url, units, connections, DURATION, 20)) });
    }
    let pgbench: unknown[] | string = 'pgbench not installed';
    if (spawnSync('pgbench', ['--version']).status === 0) {
      const script = pgbenchScript(units);
      pgbench = [];
      for (const connections of CONNECTIONS) {
        say(`baseline (pgbench): ${connections} connection(s)`);
        pgbench.push(runPgbench(dbh.url, script, connections, DURATION));
      }
    }
    results.baseline = {
      statements_per_create: statements,
      transactions: (results.round_trips as { units: string[] }).units,
      pg: baseline,
      pgbench,
      ratio_create_to_pg: create.map((c, i) => ({ connections: c.connections, ratio: Math.round((c.per_second / baseline[i]!.per_second) * 100) / 100 })),
    };
    }

    // The create scenarios left thousands of delivery jobs queued (no worker ran): remove the
    // jobs and mark every such delivery dead (the create tenant's are what the DLQ scenario
    // replays). A delivery left pending without its job would be requeued by the worker's
    // reconciliation in the middle of the webhook scenario, and counted there.
    const boss = createBoss(dbh.url, loadConfig({ DATABASE_URL: dbh.url }), log, { worker: false });
    await boss.start();
    await boss.deleteQueuedJobs(QUEUES.webhookDelivery);
    const dead = (await sql.query(`UPDATE webhook_deliveries SET status = 'dead', last_error = 'bench: marked dead' WHERE status = 'pending' RETURNING tenant_id`)).rows
      .filter((r) => r.tenant_id === shop.id).length;

    if (runs('read')) {
    // ---- 3. read ----
    const reader = await register(base, 'bench-read');
    say(`read: seeding ${READ_ROWS} payments`);
    await sql.query(
      `INSERT INTO payments (id, tenant_id, amount, currency, status, method, card_brand, card_last4, test_behaviour, capture_method, amount_captured, created_at, updated_at)
       SELECT 'pay_' || substr(md5(i::text || random()::text), 1, 20), $1, 1000 + i, 'INR', 'success', 'card', 'visa', '4242', 'succeed', 'automatic', 1000 + i,
              now() - i * interval '1 second', now()
         FROM generate_series(1, $2::int) AS i`,
      [reader.id, READ_ROWS],
    );
    await sql.query('ANALYZE payments');
    const one = (await sql.query(`SELECT id FROM payments WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC OFFSET 5000 LIMIT 1`, [reader.id])).rows[0].id;
    const deep = (await sql.query(`SELECT id FROM payments WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`, [reader.id, 1999 * 50 - 1])).rows[0].id;
    const readHeaders = { authorization: `Bearer ${reader.secret_key}` };
    const read: Record<string, LoadResult & { cpu_per_request: CpuPer }> = {};
    for (const [name, p] of [['get_by_id', `/api/v1/payments/${one}`], ['list_page_1', '/api/v1/payments?limit=50'], ['list_page_2000', `/api/v1/payments?limit=50&starting_after=${deep}`]] as const) {
      say(`read: ${name}`);
      const before = sampleCpu([apiProc.child.pid!], dbh.name);
      const r = await load({ url: base, path: p, connections: 8, durationSec: Math.min(DURATION, 10), headers: readHeaders });
      const ok = Object.entries(r.statuses).reduce((n, [code, c]) => n + (code.startsWith('2') ? c : 0), 0);
      read[name] = { ...r, cpu_per_request: cpuPer(before, sampleCpu([apiProc.child.pid!], dbh.name), ok) };
    }
    // The plans of both pages: the same index range scan, whatever the depth.
    const explain = async (cursor: boolean) => {
      const plan = (await sql.query(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM payments WHERE tenant_id = $1
          ${cursor ? 'AND (created_at, id) < (SELECT created_at, id FROM payments WHERE id = $2)' : ''}
          ORDER BY created_at DESC, id DESC LIMIT 51`, cursor ? [reader.id, deep] : [reader.id])).rows[0]['QUERY PLAN'][0];
      const indexes = [...new Set([...JSON.stringify(plan.Plan).matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]))];
      return { execution_ms: plan['Execution Time'], index: indexes.join(' + ') || plan.Plan['Node Type'], shared_hit_blocks: plan.Plan['Shared Hit Blocks'] };
    };
    results.read = { rows: READ_ROWS, connections: 8, ...read, page_1_plan: await explain(false), page_2000_plan: await explain(true) };
    }

    if (runs('storm')) {
    // ---- 4. idempotency storm ----
    const storm = await register(base, 'bench-storm');
    const keys = Array.from({ length: 10 }, () => randomUUID());
    say('idempotency storm: 1000 concurrent creates over 10 keys');
    const t0 = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        fetch(`${base}/api/v1/payments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${storm.secret_key}`, 'content-type': 'application/json', 'idempotency-key': keys[i % 10]! },
          body: paymentBody(`storm-${i % 10}@bench.test`),
        }).then(async (r) => (await r.arrayBuffer(), r.status), () => 0),
      ),
    );
    const stormPayments = Number((await sql.query('SELECT count(*) FROM payments WHERE tenant_id = $1', [storm.id])).rows[0].count);
    results.idempotency_storm = {
      requests: 1000, keys: 10, payments_created: stormPayments, exactly_ten: stormPayments === 10, seconds: Math.round(performance.now() - t0) / 1000,
      statuses: Object.fromEntries([...new Set(statuses)].sort().map((s) => [s, statuses.filter((x) => x === s).length])),
    };
    }

    if (runs('webhooks')) {
    // ---- 5. webhooks: polling only, then LISTEN/NOTIFY ----
    const hooks = await register(base, 'bench-webhooks');
    await api(base, 'POST', '/api/v1/webhook-endpoints', hooks.secret_key, { url: receiver.url, events: ['*'] });
    const webhooks: Record<string, unknown> = {};
    for (const [variant, env] of [['polling_only', { JOB_LISTEN_NOTIFY: 'false', JOB_POLL_SECONDS: '2' }], ['listen_notify', { JOB_LISTEN_NOTIFY: 'true' }]] as const) {
      // 32 by default (4 delivery loops); the shipped default, 16 (2 loops), measured the same p99 (bench/README.md).
      const worker = await startSandpay({ ...common, ...env, SANDPAY_ROLE: 'worker', WEBHOOK_CONCURRENCY: process.env.BENCH_WEBHOOK_CONCURRENCY ?? '32' });
      await new Promise((r) => setTimeout(r, 1000));
      receiver.reset();
      const sentBefore = Number((await sql.query('SELECT count(*) FROM events WHERE tenant_id = $1', [hooks.id])).rows[0].count);
      const since = (await sql.query('SELECT now() AS t')).rows[0].t as Date;
      say(`webhooks (${variant}): ${WEBHOOK_RATE} events/s for ${WEBHOOK_SECONDS} s`);
      const cpu0 = sampleCpu([worker.child.pid!, apiProc.child.pid!], dbh.name);
      await load({
        url: base, path: '/api/v1/payments', method: 'POST', connections: 16, durationSec: WEBHOOK_SECONDS, overallRate: WEBHOOK_RATE / 2,
        headers: { authorization: `Bearer ${hooks.secret_key}`, 'content-type': 'application/json' },
        next: () => ({ body: paymentBody(`w-${randomUUID()}@bench.test`), headers: { 'idempotency-key': randomUUID() } }),
      });
      // Every event committed for the tenant, re-read while waiting: requests still in flight when
      // autocannon stops commit a little later.
      const committed = async () => Number((await sql.query('SELECT count(*) FROM events WHERE tenant_id = $1', [hooks.id])).rows[0].count) - sentBefore;
      let expected = await committed();
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (receiver.ids.size >= expected) {
          const now = await committed();
          if (now === expected) break;
          expected = now;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      const cpu1 = sampleCpu([worker.child.pid!, apiProc.child.pid!], dbh.name);
      webhooks[variant] = {
        events_per_second_target: WEBHOOK_RATE,
        events_sent: expected,
        delivered: receiver.ids.size,
        duplicates: receiver.received - receiver.ids.size,
        deliveries_per_second: Math.round((receiver.ids.size / WEBHOOK_SECONDS) * 10) / 10,
        latency: summarise(receiver.latenciesMs, WEBHOOK_SECONDS),
        stages_ms: await deliveryStages(sql, hooks.id, since),
        // The creates that raise the events are counted too (two events each): API, worker and Postgres.
        cpu_per_event: cpuPer(cpu0, cpu1, receiver.ids.size),
      };
      await worker.stop();
    }
    results.webhooks = webhooks;
    }

    // ---- 6. dlq replay ----
    if (runs('dlq')) {
    const toReplay = Math.min(dead, DLQ_TARGET);
    say(`dlq replay: ${toReplay} dead deliveries`);
    const worker = await startSandpay({ ...common, SANDPAY_ROLE: 'worker', WEBHOOK_CONCURRENCY: '64' });
    await new Promise((r) => setTimeout(r, 1000));
    receiver.reset();
    const r0 = performance.now();
    const cpu0 = sampleCpu([worker.child.pid!, apiProc.child.pid!], dbh.name);
    let requeued = 0;
    while (requeued < toReplay) {
      const res = await api(base, 'POST', '/api/v1/admin/dlq/replay', ADMIN, { tenant_id: shop.id, limit: Math.min(1000, toReplay - requeued) });
      if (res.requeued === 0) break;
      requeued += res.requeued;
    }
    const queuedAt = performance.now() - r0;
    const dlqDeadline = Date.now() + 120_000;
    while (receiver.ids.size < requeued && Date.now() < dlqDeadline) await new Promise((r) => setTimeout(r, 100));
    const cpu1 = sampleCpu([worker.child.pid!, apiProc.child.pid!], dbh.name);
    const drained = (performance.now() - r0) / 1000;
    results.dlq_replay = {
      dead_deliveries: toReplay, requeued, delivered: receiver.ids.size, queue_seconds: Math.round(queuedAt) / 1000, seconds_until_all_delivered: Math.round(drained * 1000) / 1000,
      deliveries_per_second: Math.round(receiver.ids.size / drained),
      // Worker and API processes plus the database's backends; the receiver (this process) is not counted.
      cpu_per_delivery: cpuPer(cpu0, cpu1, receiver.ids.size),
    };
    await worker.stop();
    }
    await boss.stop({ graceful: false });

    // ---- 7. fairness: tenant X floods past its limit; tenant Y's latency should hardly move ----
    if (runs('fairness')) {
    const { TENANT_MAX_INFLIGHT: _single, ...fairEnv } = common;
    const fairProc = await startSandpay({ ...fairEnv, SANDPAY_ROLE: 'api' });
    try {
      const fb = fairProc.url!;
      const x = await register(fb, 'bench-flood');
      const y = await register(fb, 'bench-victim');
      await api(fb, 'PATCH', `/api/v1/admin/tenants/${x.id}`, ADMIN, { rate_limit: 100 });
      const asY = { url: fb, path: '/api/v1/payments?limit=1', headers: { authorization: `Bearer ${y.secret_key}` }, connections: 1, durationSec: DURATION };
      say(`fairness: tenant Y alone, then with tenant X flooding on ${FLOOD_CONNECTIONS} connections`);
      const idle = await load(asY);
      // The flood runs in its own process, and Y is measured once it is under way.
      const flooding = flood(`${fb}/api/v1/payments?limit=1`, x.secret_key, FLOOD_CONNECTIONS, DURATION + 3);
      await new Promise((r) => setTimeout(r, 2000));
      const busy = await load(asY);
      const xs = await flooding;
      results.fairness = {
        flood_connections: FLOOD_CONNECTIONS,
        x: xs,
        y_idle: { per_second: idle.per_second, p50_ms: idle.p50_ms, p99_ms: idle.p99_ms },
        y_during_flood: { per_second: busy.per_second, p50_ms: busy.p50_ms, p99_ms: busy.p99_ms, non2xx: busy.non2xx, errors: busy.errors },
        p99_ratio: Math.round((busy.p99_ms / idle.p99_ms) * 100) / 100,
      };
    } finally {
      await fairProc.stop();
    }
    }

    if (runs('scale')) {
      // ---- 8. one tenant with SCALE_ROWS payments (and their events) against an empty one. Last:
      // its million-row seed (and the autovacuum that follows it) weighed on every row measured after it.
      results.scale = await scaleScenario({ base, sql, rows: SCALE_ROWS, register: (name) => register(base, name), api, say, durationSec: Math.min(DURATION, 10) });
    }
  } finally {
    await apiProc.stop();
    await receiver.stop();
    await sql.end();
    await dbh.drop();
  }

  // A partial run (BENCH_ONLY) goes to its own file unless BENCH_WRITE=1: the committed results stay whole.
  const file = ONLY && !process.env.BENCH_WRITE ? 'results.partial.json' : 'results.json';
  writeFileSync(path.join(PROJECT_ROOT, 'bench', file), JSON.stringify(results, null, 2) + '\n');
  if (file === 'results.json') writeReport(results);
  say(`wrote bench/${file}${file === 'results.json' ? ' and bench/README.md' : ''}`);
  if (process.env.BENCH_CPU_PROF) say(`CPU profiles in ${path.join(WORK, 'prof')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

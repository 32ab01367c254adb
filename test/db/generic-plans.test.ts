import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingDb, type Stmt } from '../../bench/lib/baseline.ts';
import type { Queryable } from '../../src/db/pool.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { claimDeliveries, recordAttempts } from '../../src/webhooks/store.ts';
import { Client, idemKey, registerTenant } from '../support/client.ts';
import { cardBody } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * The hot statements keep their indexes under a generic plan made while the tables were small
 * (issue 27). Every statement is a named prepared statement (src/db/pool.ts), so after five
 * executions Postgres may keep one generic plan for the connection's life; one made on a new
 * database, with a few rows, sequentially scanned `payments` on every create (the fan-out's join
 * to the payment's webhook_url) and `webhook_deliveries` for the delivery jobs. Harmless at 3 k
 * rows, ruinous at 3 M.
 *
 * So: the tables hold a thousand rows of one tenant (the size at which the issue saw it) and are
 * ANALYZEd, and each statement is planned as a generic plan (`EXPLAIN (GENERIC_PLAN)`, Postgres
 * 16+: the plan `plan_cache_mode = force_generic_plan` would cache). No plan may read one of the
 * growing tables whole. The statements are recorded from real requests (a create, the reads a
 * tenant makes) and from the delivery worker's store functions: never retyped. PLAN_ROWS=100000
 * runs it at a hundred thousand (passes; 30 s).
 *
 * Below a few pages (a new database's first tens of rows) Postgres rightly reads a table whole
 * even by its primary key, and may cache that plan; autovacuum's ANALYZE, due after 50 rows plus
 * 10 %, invalidates it, so such a plan lives until the table's first analyze at most.
 */
const GROWING = new Set(['payments', 'webhook_deliveries', 'events', 'audit_log', 'idempotency_keys', 'webhook_attempts', 'orders', 'refunds', 'job_common']);

const ROWS = Number(process.env.PLAN_ROWS ?? 1000);

let sys: TestSystem;
let server: Server;
const recorded: Stmt[] = [];

beforeAll(async () => {
  sys = await startTestSystem({ SANDPAY_ROLE: 'api' });
  await sys.runtime.caches?.whenLive();
  const shop = await registerTenant(sys.url);
  expect((await shop.api.post('/webhook-endpoints', { url: 'https://example.com/hooks', events: ['*'] }, { idem: idemKey() })).status).toBe(201);
  expect((await shop.api.post('/fraud-rules', { name: 'velocity', type: 'velocity', params: { max_count: 1000, window_seconds: 60, per: 'customer_email' }, action: 'flag' }, { idem: idemKey() })).status).toBe(201);
  // A few real rows, then copies of them under new ids: the size at which issue 27 saw the
  // fan-out read all of `payments` on every create (~1,100 rows).
  for (let i = 0; i < 3; i++) {
    const paid = await shop.api.post('/payments', cardBody(undefined, { customer_email: `w${i}@example.com`, webhook_url: 'https://example.com/p' }), { idem: idemKey() });
    expect(paid.status).toBe(201);
    if (i === 0) expect((await shop.api.post(`/payments/${paid.body.id}/refunds`, { amount: 100 }, { idem: idemKey() })).status).toBe(201);
  }
  // One attempt row to copy (no worker runs here).
  const [delivery] = await sys.sql<{ id: string; job_id: string }>('SELECT id, job_id FROM webhook_deliveries LIMIT 1');
  await recordAttempts(sys.runtime.db, [{
    id: delivery!.id, jobId: delivery!.job_id, status: 'failed', url: 'https://example.com', statusCode: 500, error: 'HTTP 500', retryInSec: 5,
    nextJob: null, dlqJob: null, attempt: 1, latencyMs: 3, responseBody: 'no', requestHeaders: null, at: null,
  }]);
  for (const table of ['payments', 'events', 'webhook_deliveries', 'refunds', 'webhook_attempts', 'orders']) await copyRows(table, ROWS);
  await sys.sql('ANALYZE');

  const rec = recordingDb(sys.runtime.db);
  server = createServer(createApp({ ...sys.runtime, db: rec.db, log: createLogger('silent'), jobs: { running: () => true } }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const api = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, shop.sk);
  const created = await api.post('/payments', cardBody(undefined, { customer_email: 'x@example.com', webhook_url: 'https://example.com/p' }), { idem: idemKey() });
  expect(created.status, created.text).toBe(201);
  for (const path of [`/payments/${created.body.id}`, '/payments?limit=10', '/payments?limit=10&status=success', '/events?limit=10', `/payments/${created.body.id}/timeline`, `/webhook-deliveries?limit=10`]) {
    const res = await api.get(path);
    expect(res.status, `${path}: ${res.text}`).toBe(200);
  }
  for (const u of rec.units) {
    if (u.kind === 'pool') recorded.push(u.stmt);
    else recorded.push(...u.stmts);
  }
  // The delivery worker's statements (src/webhooks/deliver.ts), through a Queryable that records.
  const capture: Queryable = {
    rows: async (text, values) => (recorded.push({ text, values: [...(values ?? [])] }), []),
    maybeOne: async (text, values) => void recorded.push({ text, values: [...(values ?? [])] }),
    one: async (text, values) => (recorded.push({ text, values: [...(values ?? [])] }), {} as never),
  };
  await claimDeliveries(capture, [randomUUID()], 30_000, ['razorpay'], 8);
  await recordAttempts(capture, [{
    id: 'whd_x', jobId: randomUUID(), status: 'delivered', url: 'https://example.com', statusCode: 200, error: null, retryInSec: null,
    nextJob: null, dlqJob: null, attempt: 1, latencyMs: 1, responseBody: 'ok', requestHeaders: null, at: null,
  }]);
});
/**
 * `n` copies of one of the table's rows, each with ids of its own (every `id` and `*_id` but the
 * tenant's, uuids new, emails distinct), so the statistics look like real traffic of one tenant;
 * generated columns take their defaults. Foreign keys are not checked while copying (a copy's
 * event_id names no event): the plans, not the rows, are under test.
 */
async function copyRows(table: string, n: number): Promise<void> {
  const cols = await sys.sql<{ c: string; type: string }>(
    `SELECT column_name AS c, data_type AS type FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' AND is_identity = 'NO' ORDER BY ordinal_position`,
    [table],
  );
  const value = ({ c, type }: { c: string; type: string }) => {
    const col = `x.${c}`;
    if (type === 'uuid') return `CASE WHEN ${col} IS NULL THEN NULL ELSE gen_random_uuid() END`;
    if ((c === 'id' || c.endsWith('_id') || c.endsWith('email')) && c !== 'tenant_id' && type === 'text') return `CASE WHEN ${col} IS NULL THEN NULL ELSE g || '_' || ${col} END`;
    return col;
  };
  await sys.sql(
    `WITH settings AS (SELECT set_config('session_replication_role', 'replica', true))
     INSERT INTO ${table} (${cols.map((c) => c.c).join(', ')})
     SELECT ${cols.map(value).join(', ')} FROM (SELECT * FROM ${table} LIMIT 1) x, generate_series(1, $1::int) g, settings`,
    [n],
  );
}

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await sys?.stop();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode, out: string[] = []): string[] {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] && GROWING.has(node['Relation Name'])) out.push(node['Relation Name']);
  for (const child of node.Plans ?? []) seqScans(child, out);
  return out;
}

describe('hot statements under a generic plan made on small tables', () => {
  it('were recorded: the create, the reads and the delivery worker', () => {
    const texts = recorded.map((s) => s.text).join('\n');
    for (const s of ['INSERT INTO payments', 'INSERT INTO events', 'INSERT INTO webhook_deliveries', 'pgboss.job_common', 'FROM payments', 'UPDATE webhook_deliveries']) {
      expect(texts).toContain(s);
    }
  });

  it('read none of the growing tables whole', async () => {
    const parameterised = recorded.filter((s) => s.values.length > 0);
    const seen = new Set<string>();
    const offenders: string[] = [];
    for (const s of parameterised) {
      if (seen.has(s.text)) continue;
      seen.add(s.text);
      const [row] = await sys.sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${s.text}`);
      const scans = seqScans(row!['QUERY PLAN'][0]!.Plan);
      if (scans.length) offenders.push(`${scans.join(', ')}: ${s.text.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    expect(seen.size).toBeGreaterThan(10);
    expect(offenders, offenders.join('\n')).toEqual([]);
  });
});

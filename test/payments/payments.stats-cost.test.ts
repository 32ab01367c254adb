import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingDb, type Stmt, type Unit } from '../../bench/lib/baseline.ts';
import { seedPayments } from '../../bench/lib/scale.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { foldPaymentTotals } from '../../src/payments/store.ts';
import { Client, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { cardBody, CARDS } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * A tenant-facing read must not cost in proportion to the tenant's history (issue 27: stats and
 * the overview scanned every payment of the tenant). Counted, not timed: each statement the
 * request runs is EXPLAIN ANALYZEd and the rows its plan read from `payments` (rows returned by
 * scans plus rows they filtered out) must stay far below the tenant's payments. Statistics come
 * from the maintained aggregate (migration 0042); the overview reads today and the last hour.
 */
const HISTORY = 5000;

let sys: TestSystem;
let server: Server;
let shop: TestTenant;
let api: Client;
/** What the recording Db saw (the app below runs every statement through it). */
let units: Unit[] = [];

beforeAll(async () => {
  sys = await startTestSystem({ SANDPAY_ROLE: 'api' });
  shop = await registerTenant(sys.url);
  // A year of history (as the bench seeds it), then today's few through the API.
  await seedPayments({ query: (text: string, values: unknown[]) => sys.sql(text, values).then((rows) => ({ rows })) } as never, shop.id, HISTORY);
  for (const card of [CARDS.visa, CARDS.visa, CARDS.declined]) {
    expect([201, 402]).toContain((await shop.api.post('/payments', cardBody(card), { idem: idemKey() })).status);
  }
  const rec = recordingDb(sys.runtime.db);
  server = createServer(createApp({ ...sys.runtime, db: rec.db, log: createLogger('silent'), jobs: { running: () => true } }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, shop.sk);
  units = rec.units;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await sys?.stop();
});

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

function rowsRead(node: PlanNode, table: string): number {
  const own = node['Relation Name'] === table
    ? ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * (node['Actual Loops'] ?? 1)
    : 0;
  return own + (node.Plans ?? []).reduce((n, c) => n + rowsRead(c, table), 0);
}

/** The statements `path` ran, and the payments rows their plans read. */
async function paymentsRowsReadBy(path: string): Promise<{ rows: number; statements: number }> {
  units.length = 0;
  const res = await api.get(path);
  expect(res.status, res.text).toBe(200);
  const recorded: Stmt[] = units.flatMap((u) => (u.kind === 'pool' ? [u.stmt] : u.stmts));
  let rows = 0;
  for (const s of recorded.filter((x) => /^\s*(WITH|SELECT)/i.test(x.text))) {
    const [plan] = await sys.sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${s.text}`, s.values);
    rows += rowsRead(plan!['QUERY PLAN'][0]!.Plan, 'payments');
  }
  return { rows, statements: recorded.length };
}

describe('reads that do not grow with the history', () => {
  it('GET /payments/stats reads no payment rows, and its figures are exact before and after a fold', async () => {
    const exact = await sys.sql<{ status: string; n: string; amount: string }>(
      'SELECT status, count(*) AS n, sum(amount) AS amount FROM payments WHERE tenant_id = $1 GROUP BY status', [shop.id]);
    const expectTotals = (body: any) => {
      expect(body.total_count).toBe(HISTORY + 3);
      for (const r of exact) expect(body.by_status[r.status]).toMatchObject({ count: Number(r.n), amount: { INR: Number(r.amount) } });
    };
    const before = await paymentsRowsReadBy('/payments/stats');
    expect(before.statements).toBeGreaterThan(0);
    expect(before.rows).toBe(0);
    expectTotals((await api.get('/payments/stats')).body);
    expect(await foldPaymentTotals(sys.runtime.db)).toBeGreaterThan(0);
    expectTotals((await api.get('/payments/stats')).body);
    // A refund moves amounts between figures (a statement-level UPDATE's delta).
    const [paid] = await sys.sql<{ id: string }>(`SELECT id FROM payments WHERE tenant_id = $1 AND status = 'success' AND created_at > now() - interval '1 hour' LIMIT 1`, [shop.id]);
    expect((await shop.api.post(`/payments/${paid!.id}/refunds`, { amount: 100 }, { idem: idemKey() })).status).toBe(201);
    const refunded = await sys.sql<{ r: string }>('SELECT sum(amount_refunded) AS r FROM payments WHERE tenant_id = $1', [shop.id]);
    const stats = (await api.get('/payments/stats')).body;
    expect(Object.values(stats.amount_refunded as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(Number(refunded[0]!.r));
  });

  it("GET /overview reads today's payments and the last hour's, not the year's", async () => {
    const today = Number((await sys.sql<{ n: string }>(`SELECT count(*) AS n FROM payments WHERE tenant_id = $1 AND created_at > now() - interval '1 day'`, [shop.id]))[0]!.n);
    const { rows } = await paymentsRowsReadBy('/overview');
    // Each of its statements reads at most the last day's rows (a few, of 5,000 over a year).
    expect(rows).toBeLessThanOrEqual(today * 4 + 50);
    expect(rows).toBeLessThan(HISTORY / 5);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;
const created: string[] = [];

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  // Concurrent creates: many share a created_at millisecond, which the cursor must still order.
  for (let batch = 0; batch < 5; batch++) {
    const ps = await Promise.all(Array.from({ length: 5 }, (_, i) => createPayment(t.api, cardBody(i % 2 ? CARDS.visa : CARDS.declined, { amount: 100 + i }))));
    created.push(...ps.map((p) => p.id));
  }
});
afterAll(() => sys?.stop());

describe('GET /payments', () => {
  it('walks every payment exactly once with cursor pagination, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { data: Array<{ id: string; created_at: string }>; has_more: boolean; next_cursor: string | null } } = await t.api.get(`/payments?limit=7${cursor ? `&starting_after=${cursor}` : ''}`);
      seen.push(...res.body.data.map((p) => p.id));
      expect(res.body.next_cursor).toBe(res.body.has_more ? res.body.data.at(-1)!.id : null);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(25);
    expect(new Set(seen)).toEqual(new Set(created));
  });

  it('filters by status and created range', async () => {
    const failed = await t.api.get('/payments?status=failed&limit=100');
    expect(failed.body.data.every((p: { status: string }) => p.status === 'failed')).toBe(true);
    expect(failed.body.data).toHaveLength(15);
    const future = await t.api.get(`/payments?created_gte=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.body.data).toEqual([]);
    const past = await t.api.get(`/payments?created_lte=${Math.floor(Date.now() / 1000) + 60}&limit=100`);
    expect(past.body.data).toHaveLength(25);
  });

  it('GET /payments/stats counts and sums per status', async () => {
    const res = await t.api.get('/payments/stats');
    expect(res.body.total_count).toBe(25);
    expect(res.body.by_status.success.count).toBe(10);
    expect(res.body.by_status.failed.count).toBe(15);
    expect(res.body.by_status.success.amount).toEqual({ INR: 5 * (101 + 103) });
  });
});

describe('list indexes', () => {
  it('payments has no btree index led by created_at, which the planner could use to serve a tenant list by filtering everyone', async () => {
    // With one (0004 had it), a tenant owning most rows got its first page by scanning other
    // tenants' newest payments; the bench showed page 1 slower than page 2,000. See 0007.
    const led = await sys.sql<{ index: string }>(
      `SELECT i.relname AS index
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_am am ON am.oid = i.relam JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
        WHERE t.relname = 'payments' AND am.amname = 'btree' AND a.attname = 'created_at'`,
    );
    expect(led).toEqual([]);
    const plan = await sys.sql<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT * FROM payments WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 21`, [t.id]);
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('payments_tenant_created_idx');
  });
});

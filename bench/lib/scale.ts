import type pg from 'pg';
import { load } from './load.ts';

/**
 * Issue 27's "cost that grows with the data": one tenant with `rows` payments (one event each,
 * created over the past year, so "today" holds a day's share) against a tenant with a handful,
 * both through the same API process. Every tenant-facing read, a create and GET /audit/verify
 * (after a checkpoint, as the hourly job leaves it) are measured on each: p50 and p99 latency
 * over a fixed number of requests on one connection, and the ratio big ÷ empty (goal ≤ 2).
 * The seed is SQL (generate_series) into the real tables, bench-only: no API path writes rows
 * without their audit rows, and a million creates would take the bench an hour.
 */
export interface ScaleOptions {
  base: string;
  sql: pg.Pool;
  rows: number;
  durationSec: number;
  register(name: string): Promise<{ id: string; secret_key: string }>;
  api(base: string, method: string, path: string, key: string, body?: unknown): Promise<any>;
  say(msg: string): void;
}

const REQUESTS = 200;
const card = { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' };
const body = (email: string) => ({ amount: 5000, currency: 'INR', method: 'card', card, customer_email: email });

/** Seeds `rows` payments (succeeded, refunded now and then) and their payment.succeeded events for one tenant. */
export async function seedPayments(sql: pg.Pool, tenantId: string, rows: number): Promise<void> {
  const chunk = 100_000;
  for (let from = 1; from <= rows; from += chunk) {
    const to = Math.min(rows, from + chunk - 1);
    await sql.query(
      `WITH p AS (
         INSERT INTO payments (id, tenant_id, amount, currency, status, method, card_brand, card_last4, test_behaviour, capture_method, amount_captured,
                               amount_refunded, customer_email, created_at, updated_at)
         SELECT 'pay_' || substr(md5(i::text || random()::text), 1, 20), $1, 1000 + i % 5000, 'INR',
                CASE WHEN i % 50 = 0 THEN 'refunded' WHEN i % 20 = 0 THEN 'failed' ELSE 'success' END, 'card', 'visa', '4242', 'succeed', 'automatic',
                CASE WHEN i % 20 = 0 AND i % 50 <> 0 THEN 0 ELSE 1000 + i % 5000 END, CASE WHEN i % 50 = 0 THEN 1000 + i % 5000 ELSE 0 END,
                'c' || i || '@scale.test', now() - (i::float8 / $4::int) * interval '365 days', now()
           FROM generate_series($2::int, $3::int) AS i
         RETURNING id, tenant_id, status, created_at
       )
       INSERT INTO events (id, tenant_id, type, object_type, object_id, payment_id, payload, face_names, created_at)
       SELECT 'evt_' || substr(md5(p.id || random()::text), 1, 20), p.tenant_id, 'payment.' || CASE p.status WHEN 'success' THEN 'succeeded' ELSE p.status END,
              'payment', p.id, p.id, json_build_object('object', 'payment', 'id', p.id), '{}'::jsonb, p.created_at
         FROM p`,
      [tenantId, from, to, rows],
    );
  }
  await sql.query('ANALYZE payments');
  await sql.query('ANALYZE events');
}

export async function scaleScenario(o: ScaleOptions): Promise<Record<string, unknown>> {
  const big = await o.register('bench-scale-big');
  const empty = await o.register('bench-scale-empty');
  o.say(`scale: seeding ${o.rows} payments and events for one tenant`);
  const t0 = performance.now();
  await seedPayments(o.sql, big.id, o.rows);
  const seedSeconds = Math.round(performance.now() - t0) / 1000;
  const ids: Record<string, string> = {};
  for (const t of [big, empty]) {
    // A few real payments (with their audit rows), then a checkpoint, then one more: verify reads what follows it.
    for (let i = 0; i < 5; i++) ids[t.id] = (await o.api(o.base, 'POST', '/api/v1/payments', t.secret_key, body(`s${i}-${t.id}@scale.test`))).id;
    await o.api(o.base, 'POST', '/api/v1/audit/checkpoints', t.secret_key);
    await o.api(o.base, 'POST', '/api/v1/payments', t.secret_key, body(`after-${t.id}@scale.test`));
  }
  const reads: Array<[string, (id: string) => string]> = [
    ['get_payment', (id) => `/api/v1/payments/${id}`],
    ['list_payments', () => '/api/v1/payments?limit=50'],
    ['list_payments_status', () => '/api/v1/payments?limit=50&status=failed'],
    ['payment_stats', () => '/api/v1/payments/stats'],
    ['overview', () => '/api/v1/overview'],
    ['list_events', () => '/api/v1/events?limit=50'],
    ['list_deliveries', () => '/api/v1/webhook-deliveries?limit=50'],
    ['audit_verify', () => '/api/v1/audit/verify'],
  ];
  const out: Record<string, unknown> = { rows: o.rows, seed_seconds: seedSeconds, requests_each: REQUESTS };
  const measure = async (key: string, path: string, method: 'GET' | 'POST' = 'GET') => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const next = method === 'POST' ? () => ({ body: JSON.stringify(body(`m-${Math.random()}@scale.test`)), headers: { 'idempotency-key': `scale-${Math.random()}` } }) : undefined;
    const r = await load({ url: o.base, path, method, connections: 1, durationSec: o.durationSec, amount: REQUESTS, headers, ...(next ? { next } : {}) });
    return { p50_ms: r.p50_ms, p99_ms: r.p99_ms, non2xx: r.non2xx };
  };
  const row = async (name: string, pathOf: (t: { id: string }) => string, method: 'GET' | 'POST' = 'GET') => {
    o.say(`scale: ${name}`);
    const e = await measure(empty.secret_key, pathOf(empty), method);
    const b = await measure(big.secret_key, pathOf(big), method);
    out[name] = { empty: e, big: b, p50_ratio: Math.round((b.p50_ms / Math.max(0.01, e.p50_ms)) * 100) / 100 };
  };
  for (const [name, p] of reads) await row(name, (t) => p(ids[t.id]!));
  await row('create', () => '/api/v1/payments', 'POST');
  return out;
}

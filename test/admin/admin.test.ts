import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, expectError, registerTenant, type TestTenant } from '../support/client.ts';
import { cardBody, createPayment } from '../support/payments.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let admin: Client;
let t: TestTenant;

beforeAll(async () => {
  sys = await startTestSystem();
  admin = new Client(sys.url + '/api/v1', ADMIN_TOKEN);
  t = await registerTenant(sys.url);
});
afterAll(() => sys?.stop());

/** Every operator route, for the auth sweep. */
export const ADMIN_ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/api/v1/admin/tenants'],
  ['PATCH', '/api/v1/admin/tenants/ten_00000000000000000000', { disabled: true }],
  ['GET', '/api/v1/admin/fraud-rules'],
  ['POST', '/api/v1/admin/fraud-rules', { name: 'x', type: 'amount_limit', params: { max_amount: 1 }, action: 'flag' }],
  ['PATCH', '/api/v1/admin/fraud-rules/fr_seedHighAmount000001', { enabled: true }],
  ['GET', '/api/v1/admin/metrics'],
  ['GET', '/api/v1/admin/dlq'],
  ['POST', '/api/v1/admin/dlq/replay', {}],
  ['POST', '/api/v1/admin/dlq/whd_00000000000000000000/replay'],
  ['GET', '/api/v1/admin/jobs'],
  ['GET', '/api/v1/admin/reconciliation-runs'],
  ['POST', '/api/v1/admin/reconciliation-runs'],
  ['GET', '/api/v1/admin/audit/verify/global'],
  ['GET', '/metrics'],
];

describe('admin auth', () => {
  it.each(ADMIN_ROUTES)('%s %s: 401 without the token (saying the admin token is needed), 403 with a tenant key', async (method, path, body) => {
    const root = new Client(sys.url);
    const missing = await root.request(method, path, { body, key: null });
    expectError(missing, 401, { type: 'authentication_error', code: 'missing_admin_token' });
    expect(missing.body.error.message).toMatch(/admin token/);
    expect(missing.body.error.message).not.toMatch(/sk_test_/);
    expectError(await root.request(method, path, { body, key: t.sk }), 403, { type: 'permission_error' });
    const before = (await admin.get('/admin/fraud-rules')).body.data.find((r: { id: string }) => r.id === 'fr_seedHighAmount000001');
    expect(before.enabled).toBe(false); // nothing the tenant sent changed anything
  });
});

describe('global fraud rules', () => {
  it('toggling a rule changes the very next payment, and every change is audited with old and new values', async () => {
    const rule = await admin.post('/admin/fraud-rules', { name: 'No INR above 1.00', type: 'amount_limit', params: { max_amount: 100, currency: 'INR' }, action: 'block', enabled: false });
    expect(rule.status, rule.text).toBe(201);
    expect(rule.body.scope).toBe('global');
    expect((await createPayment(t.api)).status).toBe('success');

    expect((await admin.patch(`/admin/fraud-rules/${rule.body.id}`, { enabled: true })).body.enabled).toBe(true);
    expect(await createPayment(t.api)).toMatchObject({ status: 'failed', failure_code: 'fraud_blocked', fraud: { rule_id: rule.body.id } });

    await admin.patch(`/admin/fraud-rules/${rule.body.id}`, { enabled: false });
    expect((await createPayment(t.api)).status).toBe('success');

    const audit = await sys.sql<{ chain: string; action: string; actor_type: string; metadata: any }>('SELECT chain, action, actor_type, metadata FROM audit_log WHERE object_id = $1 ORDER BY id', [rule.body.id]);
    expect(audit.map((a) => [a.chain, a.action, a.actor_type])).toEqual([
      ['global', 'fraud_rule.created', 'admin'],
      ['global', 'fraud_rule.updated', 'admin'],
      ['global', 'fraud_rule.updated', 'admin'],
    ]);
    expect(audit[1]!.metadata.old.enabled).toBe(false);
    expect(audit[1]!.metadata.new.enabled).toBe(true);
    // Sealed a moment after the commits (the sealer gathers kicks for AUDIT_SEAL_DELAY_MS).
    await expect.poll(async () => (await admin.get('/admin/audit/verify/global')).body).toMatchObject({ ok: true, rows_checked: 3, unsealed_rows: 0 });
  });

  it('lists the seeded defaults, all disabled', async () => {
    const ids = (await admin.get('/admin/fraud-rules')).body.data.filter((r: { id: string }) => r.id.startsWith('fr_seed'));
    expect(ids.map((r: { type: string; enabled: boolean }) => [r.type, r.enabled]).sort()).toEqual([
      ['amount_limit', false], ['country_block', false], ['velocity', false],
    ]);
  });

  it("operators cannot edit a tenant's rule through the global API", async () => {
    const mine = await t.api.post('/fraud-rules', { name: 'm', type: 'amount_limit', params: { max_amount: 1 }, action: 'flag', enabled: false });
    expectError(await admin.patch(`/admin/fraud-rules/${mine.body.id}`, { enabled: true }), 404);
    expect((await admin.get(`/admin/fraud-rules?tenant_id=${t.id}`)).body.data.map((r: { id: string }) => r.id)).toEqual([mine.body.id]);
  });
});

describe('tenants', () => {
  it('lists tenants with counts', async () => {
    const other = await registerTenant(sys.url);
    await createPayment(other.api);
    const res = await admin.get('/admin/tenants?limit=100');
    const row = res.body.data.find((x: { id: string }) => x.id === other.id);
    expect(row).toMatchObject({ disabled: false, rate_limit: null, counts: { payments: 1, webhook_endpoints: 0, dead_deliveries: 0 } });
    expect(res.text).not.toContain(other.sk);
    expect(res.text).not.toContain(other.whsec);
  });

  it('disables a tenant (its keys get 403) and sets its rate limit, audited', async () => {
    const other = await registerTenant(sys.url);
    const off = await admin.patch(`/admin/tenants/${other.id}`, { disabled: true, rate_limit: 3 });
    expect(off.body).toMatchObject({ disabled: true, rate_limit: 3 });
    expectError(await other.api.get('/auth/me'), 403, { code: 'tenant_disabled' });
    await admin.patch(`/admin/tenants/${other.id}`, { disabled: false });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await other.api.get('/auth/me')).status);
    expect(codes).toEqual([200, 200, 200, 429]);
    expect((await admin.patch(`/admin/tenants/${other.id}`, { rate_limit: null })).body.rate_limit).toBeNull();
    const audit = await sys.sql<{ metadata: any }>(`SELECT metadata FROM audit_log WHERE object_id = $1 AND action = 'tenant.updated_by_operator' ORDER BY id`, [other.id]);
    expect(audit[0]!.metadata).toEqual({ old: { disabled: false, rate_limit: null }, new: { disabled: true, rate_limit: 3 } });
    expectError(await admin.patch('/admin/tenants/ten_00000000000000000000', { disabled: true }), 404);
    expectError(await admin.patch(`/admin/tenants/${other.id}`, { rate_limit: 0 }), 400, { param: 'rate_limit' });
  });
});

describe('metrics', () => {
  it('GET /admin/metrics is a JSON snapshot of payments, webhooks, queues and the pool', async () => {
    await createPayment(t.api, cardBody('4000000000000002'));
    const m = (await admin.get('/admin/metrics')).body;
    expect(m.payments.by_status.success).toBeGreaterThanOrEqual(1);
    expect(m.payments.by_status.failed).toBeGreaterThanOrEqual(1);
    expect(m.payments.last_hour).toBe(m.payments.last_day);
    expect(m.webhooks).toMatchObject({ dlq_depth: expect.any(Number), latency_ms_last_hour: expect.any(Object) });
    expect(m.jobs).toMatchObject({ pending: expect.any(Number), worker_status: 'running' });
    expect(m.db_pool).toMatchObject({ max: 20, total: expect.any(Number), idle: expect.any(Number), waiting: expect.any(Number) });
  });

  it('GET /metrics is valid Prometheus text with the business and HTTP metrics', async () => {
    const res = await new Client(sys.url).get('/metrics', { key: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheus(res.text);
    expect(samples.get('sandpay_payments{status="success"}')).toBeGreaterThanOrEqual(1);
    expect(samples.has('sandpay_webhook_dlq_depth')).toBe(true);
    expect(samples.has('sandpay_jobs{state="pending"}')).toBe(true);
    expect(samples.has('sandpay_db_pool_connections{state="total"}')).toBe(true);
    expect([...samples.keys()].some((k) => k.startsWith('sandpay_http_requests_total{') && k.includes('route="/api/v1/payments"'))).toBe(true);
    expect([...samples.keys()].some((k) => k.startsWith('sandpay_process_'))).toBe(true);
  });
});

/**
 * A strict reader of the text exposition format: every line is a comment (# HELP / # TYPE with
 * a valid metric name) or `name{label="value",...} number`; anything else fails the test.
 */
function parsePrometheus(text: string): Map<string, number> {
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const label = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*"`;
  const sample = new RegExp(`^(${name}(?:\\{(?:${label}(?:,${label})*)?,?\\})?) (-?(?:[0-9.e+-]+|NaN|\\+Inf|-Inf))(?: -?\\d+)?$`);
  const comment = new RegExp(`^# (?:HELP ${name} .*|TYPE ${name} (?:counter|gauge|histogram|summary|untyped))$`);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      expect(line, 'comment line').toMatch(comment);
      continue;
    }
    const m = sample.exec(line);
    expect(m, `sample line: ${line}`).not.toBeNull();
    out.set(m![1]!, Number(m![2]));
  }
  expect(out.size).toBeGreaterThan(10);
  return out;
}

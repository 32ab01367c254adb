import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../src/contract/openapi.ts';
import { withPermissionTable } from '../../src/contract/permission-table.ts';
import { ROUTES } from '../../src/contract/table.ts';
import { grant, permissionName, RESOURCES, type Permission, type Resource } from '../../src/credentials/permissions.ts';
import { Client, expectError, idemKey, registerTenant, type ApiResponse, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment, eventually } from '../support/payments.ts';
import { fill, SWEEP, type SweepRoute } from '../support/table.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;
let root: Client;
const ids: Record<string, string> = {};
/** Restricted keys: `none` (every resource none), and `<resource>:<level>` holding only that. */
const keys: Record<string, string> = {};

const makeKey = async (permissions: Record<string, string>, name = 'matrix') => {
  const res = await t.api.post('/auth/keys', { type: 'restricted', name, permissions });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; secret: string };
};

beforeAll(async () => {
  sys = await startTestSystem({ REFUND_PROCESS_DELAY_MS: '600000', WEBHOOK_RETRY_SCHEDULE: 'none', RATE_LIMIT_TENANT_MAX: '1000000' });
  t = await registerTenant(sys.url, 'Matrix');
  root = new Client(sys.url);
  ids.order = (await t.api.post('/orders', { amount: 100, currency: 'INR' })).body.id;
  ids.webhookEndpoint = (await t.api.post('/webhook-endpoints', { url: 'http://127.0.0.1:9/closed', events: ['payment.success'] })).body.id;
  ids.payment = (await createPayment(t.api, cardBody(CARDS.visa))).id;
  ids.refund = (await t.api.post(`/payments/${ids.payment}/refunds`, { amount: 1 })).body.id;
  ids.event = (await t.api.get('/events?type=payment.success&limit=1')).body.data[0].id;
  ids.webhookDelivery = (await eventually(async () => (await t.api.get('/webhook-deliveries?status=dead')).body.data, (d: any[]) => d.length === 1))[0].id;
  ids.fraudRule = (await t.api.post('/fraud-rules', { name: 'r', type: 'amount_limit', params: { max_amount: 10 ** 9 }, action: 'flag' })).body.id;
  ids.checkoutSession = (await t.api.post('/checkout/sessions', { order_id: ids.order })).body.id;
  ids.apiKey = (await makeKey({}, 'fixture')).id;
  const verification = await t.api.post('/audit/verifications');
  expect(verification.status, verification.text).toBe(201);
  ids.auditVerification = verification.body.id;
  keys.none = (await makeKey({})).secret;
  for (const r of RESOURCES) for (const level of ['read', 'write']) keys[`${r}:${level}`] = (await makeKey({ [r]: level })).secret;
}, 60_000);
afterAll(() => sys?.stop());

/**
 * What a route answers a key that holds its permission, given the fixtures above: its success
 * status, except where the fixture's state makes the action illegal (the payment already
 * succeeded, so it cannot be captured, cancelled or moved to success again).
 */
const STATE_REFUSALS: Record<string, number> = {
  'POST /api/v1/payments/:id/capture': 409,
  'POST /api/v1/payments/:id/cancel': 409,
  'POST /api/v1/payments/:id/simulate': 409,
};

const label = (r: SweepRoute) => `${r.method} ${r.path}`;

async function send(r: SweepRoute, key: string): Promise<ApiResponse> {
  const path = r.id ? fill(r.path, ids[r.id]!) : r.path;
  // The bulk replay (earlier in the matrix) queues the dead fixture again: a retry needs it settled.
  if (label(r) === 'POST /api/v1/webhook-deliveries/:id/retry') {
    await eventually(async () => (await t.api.get(`/webhook-deliveries/${ids.webhookDelivery}`)).body.status, (s) => s !== 'pending');
  }
  return root.request(r.method, path, { key, body: r.body, ...(r.idem ? { idem: idemKey() } : {}) });
}

function expectMissing(res: ApiResponse, needed: Permission, what: string): void {
  expectError(res, 403, { type: 'permission_error', code: 'missing_permission' });
  expect(res.body.error.message, what).toContain(permissionName(needed));
}

/** Deletions last: they remove fixtures other routes use. */
const MATRIX = SWEEP.filter((r) => r.auth === 'tenant' && r.route.permission).sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));

describe('restricted keys over the route table', () => {
  it('every tenant route declares a permission unless it manages credentials or settings (secret key only)', () => {
    const tenant = ROUTES.filter((r) => r.auth === 'secret' || r.auth === 'publishable');
    const secretOnly = tenant.filter((r) => !r.permission).map((r) => r.path);
    expect(MATRIX.length).toBeGreaterThanOrEqual(40);
    // The tenant's clock (and Stripe's test clocks over it) moves all of its objects: a setting of the account.
    for (const path of secretOnly) expect(path, `${path} has no permission`).toMatch(/^\/(api\/v1\/(auth\/|request-log|overview|test-clock)|v1\/test_helpers\/test_clocks)/);
    // GETs read, everything else writes (a dry run, and a full verification of the audit chain, are reads).
    for (const r of tenant.filter((x) => x.permission)) {
      const expected = r.method === 'get' || ['/api/v1/fraud-rules/test', '/api/v1/audit/verifications'].includes(r.path) ? 'read' : 'write';
      expect(r.permission!.level, `${r.method} ${r.path}`).toBe(expected);
    }
  });

  it('each route answers 403 naming its permission to every key without it, and works with it', async () => {
    for (const r of MATRIX) {
      const needed = r.route.permission!;
      expectMissing(await send(r, keys.none!), needed, `${label(r)} with no permissions`);
      for (const other of RESOURCES.filter((x) => x !== needed.resource)) {
        expectMissing(await send(r, keys[`${other}:write`]!), needed, `${label(r)} with ${other}:write`);
      }
      if (needed.level === 'write') expectMissing(await send(r, keys[`${needed.resource}:read`]!), needed, `${label(r)} with read only`);
      const expected = STATE_REFUSALS[label(r)] ?? r.route.status ?? 200;
      const holders = needed.level === 'read' ? ['read', 'write'] : ['write'];
      for (const level of holders) {
        const res = await send(r, keys[`${needed.resource}:${level}`]!);
        expect(res.status, `${label(r)} with ${needed.resource}:${level}: ${res.text.slice(0, 300)}`).toBe(expected);
        if (expected === 409) expect(res.body.error.type).toBe('state_error');
      }
    }
  }, 120_000);

  it('the event stream is a read of events', async () => {
    const stream = (key: string) => fetch(`${sys.url}/api/v1/events/stream`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(5000) });
    const refused = await stream(keys['payments:write']!);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).error.message).toContain('events:read');
    const open = await stream(keys['events:read']!);
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toMatch(/text\/event-stream/);
    await open.body?.cancel();
  });

  it('routes without a permission refuse every restricted key, even one with every permission', async () => {
    const listed = async () => (await t.api.get('/auth/keys?limit=100')).body.data as unknown[];
    const before = (await listed()).length;
    const all = (await makeKey(Object.fromEntries(RESOURCES.map((r) => [r, 'write'])), 'all')).secret;
    const secretOnly = SWEEP.filter((r) => r.auth === 'tenant' && !r.route.permission);
    expect(secretOnly.map(label)).toEqual(expect.arrayContaining(['POST /api/v1/auth/keys', 'DELETE /api/v1/auth/keys/:id', 'POST /api/v1/auth/jwt-keys', 'POST /api/v1/auth/keys/rotate']));
    for (const r of secretOnly) {
      const path = r.path.includes(':') ? fill(r.path, ids[r.id ?? ''] ?? 'x').replace(':kid', 'k1') : r.path;
      const res = await root.request(r.method, path, { key: all, body: r.body, ...(r.idem ? { idem: idemKey() } : {}) });
      expectError(res, 403, { type: 'permission_error', code: 'secret_key_required' });
    }
    // Only the key made above: POST /auth/keys with the restricted key created none.
    expect(await listed()).toHaveLength(before + 1);
  });

  it('a restricted key never works on operator routes', async () => {
    for (const r of SWEEP.filter((x) => x.auth === 'admin').slice(0, 3)) {
      expectError(await root.request(r.method, r.path.replace(':id', 'x'), { key: keys['payments:write'], body: r.body }), 403, { code: 'admin_only' });
    }
  });
});

describe('restricted key lifecycle', () => {
  // Each test makes its own key, so any one runs alone (-t) and none depends on another's key.
  const refundBot = () => t.api.post('/auth/keys', { type: 'restricted', name: 'refund bot', permissions: { payments: 'read', refunds: 'write' } });
  let rk: { id: string; secret: string };
  const restricted = () => new Client(`${sys.url}/api/v1`, rk.secret);
  beforeEach(async () => {
    const res = await refundBot();
    expect(res.status, res.text).toBe(201);
    rk = res.body;
  });

  it('is shown once, stored as a hash, listed without its secret', async () => {
    const res = await refundBot();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'api_key', type: 'restricted', name: 'refund bot', revoked_at: null, expires_at: null });
    expect(res.body.permissions).toEqual(grant({ payments: 'read', refunds: 'write' }));
    expect(res.body.secret).toMatch(/^rk_test_[0-9A-Za-z]{32}$/);
    expect(res.body.hint).toBe(`rk_test_...${res.body.secret.slice(-4)}`);
    const list = await t.api.get('/auth/keys?limit=100');
    expect(list.text).not.toContain(res.body.secret);
    expect(list.body.data.find((k: any) => k.id === res.body.id)).toMatchObject({ name: 'refund bot', hint: res.body.hint });
    const stored = await sys.sql<{ key_hash: string }>('SELECT key_hash FROM restricted_keys WHERE id = $1', [res.body.id]);
    expect(stored).toEqual([{ key_hash: createHash('sha256').update(res.body.secret).digest('hex') }]);
    expect(JSON.stringify(await sys.sql('SELECT * FROM restricted_keys'))).not.toContain(res.body.secret);
  });

  it('validates its permissions and expiry', async () => {
    expectError(await t.api.post('/auth/keys', { type: 'restricted', name: 'x', permissions: { payments: 'admin' } }), 400, { param: 'permissions.payments' });
    expectError(await t.api.post('/auth/keys', { type: 'restricted', name: 'x', permissions: { customers: 'read' } }), 400, { code: 'parameter_unknown', param: 'permissions.customers' });
    expectError(await t.api.post('/auth/keys', { type: 'restricted', name: 'x', permissions: {}, expires_at: '2001-01-01T00:00:00Z' }), 400, { param: 'expires_at' });
    expectError(await t.api.post('/auth/keys', { type: 'bogus', name: 'x' }), 400, { param: 'type' });
  });

  it('records which key made each change, in the audit trail and the request log', async () => {
    const p = await restricted().get(`/payments/${ids.payment}`);
    expect(p.status).toBe(200);
    const refund = await restricted().post(`/payments/${ids.payment}/refunds`, { amount: 1 });
    expect(refund.status, refund.text).toBe(201);
    const rows = await sys.sql<{ actor_type: string; actor_id: string }>("SELECT actor_type, actor_id FROM audit_log WHERE object_id = $1 AND action = 'refund.created'", [refund.body.id]);
    expect(rows).toEqual([{ actor_type: 'restricted_key', actor_id: rk.id }]);
    const logged = await eventually(
      async () => (await t.api.get(`/request-log?request_id=${encodeURIComponent(refund.headers.get('x-request-id')!)}`)).body?.data ?? [],
      (d: any[]) => d.length === 1,
    );
    expect(logged[0].credential).toEqual({ type: 'restricted_key', id: rk.id });
  });

  it('stops working at once when revoked, though it was cached', async () => {
    expect((await restricted().get(`/payments/${ids.payment}`)).status).toBe(200);
    const revoked = await t.api.delete(`/auth/keys/${rk.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expectError(await restricted().get(`/payments/${ids.payment}`), 401, { type: 'authentication_error', code: 'invalid_api_key' });
    // Again: the same answer, one audit row.
    expect((await t.api.delete(`/auth/keys/${rk.id}`)).body.revoked_at).toBe(revoked.body.revoked_at);
    expect(await sys.sql("SELECT 1 FROM audit_log WHERE object_id = $1 AND action = 'api_key.revoked'", [rk.id])).toHaveLength(1);
  });

  it('stops working when it expires, though it was cached', async () => {
    // Expiry as it happens, by the clock: the key is used (and cached) before expires_at, then
    // refused once expires_at has passed, not when the cache's minute is up. Should the machine
    // stall past a short lifetime before the first use, the next attempt gives it longer.
    for (let lifetime = 2000; ; lifetime *= 2) {
      const expiresAt = Date.now() + lifetime;
      const made = await t.api.post('/auth/keys', { type: 'restricted', name: 'short', permissions: { payments: 'read' }, expires_at: new Date(expiresAt).toISOString() });
      expect(made.status, made.text).toBe(201);
      const short = new Client(`${sys.url}/api/v1`, made.body.secret);
      const before = await short.get(`/payments/${ids.payment}`);
      if (before.status !== 200 && Date.now() >= expiresAt && lifetime < 16_000) continue;
      expect(before.status, before.text).toBe(200);
      await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 50));
      expectError(await short.get(`/payments/${ids.payment}`), 401, { code: 'invalid_api_key' });
      return;
    }
  });

  it('secret and publishable keys are rotated, not revoked; another tenant\'s key is not found', async () => {
    const keyId = (await sys.sql<{ id: string }>("SELECT id FROM api_keys WHERE tenant_id = $1 AND type = 'secret'", [t.id]))[0]!.id;
    expectError(await t.api.delete(`/auth/keys/${keyId}`), 409, { code: 'key_not_revocable' });
    const other = await registerTenant(sys.url, 'Other');
    expectError(await other.api.delete(`/auth/keys/${ids.apiKey}`), 404, { code: 'resource_missing' });
  });
});

describe('the permission table', () => {
  it('is in the OpenAPI operations', () => {
    const doc = buildOpenApi(ROUTES) as { paths: Record<string, Record<string, any>> };
    const op = doc.paths['/api/v1/payments/{id}/refunds']!.post;
    expect(op['x-permission']).toBe('refunds:write');
    expect(op.description).toContain('`refunds:write`');
    expect(op.security).toContainEqual({ restrictedKey: [] });
    expect(doc.paths['/api/v1/auth/keys']!.post.description).toContain('Secret key only');
  });

  it('in README.md is generated from the route table (npm run openapi rewrites it)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme, 'the README permission table is stale: run npm run openapi').toBe(withPermissionTable(readme, ROUTES));
    for (const r of RESOURCES as readonly Resource[]) expect(readme).toContain(`| \`${r}\` |`);
  });
});

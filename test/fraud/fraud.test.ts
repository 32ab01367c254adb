import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(() => sys?.stop());

async function withRule(t: TestTenant, rule: Record<string, unknown>) {
  const res = await t.api.post('/fraud-rules', { name: 'test rule', action: 'flag', ...rule });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe('fraud rules on payments', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]>([
    ['amount_limit', { max_amount: 5000 }, { amount: 5001 }, { amount: 5000 }],
    ['currency_block', { currencies: ['USD'] }, { currency: 'USD' }, { currency: 'EUR' }],
    ['country_block', { countries: ['KP'] }, { billing: { country: 'KP' } }, { billing: { country: 'IN' } }],
    ['email_domain_block', { domains: ['spam.test'] }, { customer_email: 'x@mail.spam.test' }, { customer_email: 'x@nospam.test' }],
    ['card_bin_block', { bins: ['555555'] }, { card: cardBody(CARDS.mastercard).card }, { card: cardBody(CARDS.visa).card }],
  ])('%s fires past its boundary and not at it', async (type, params, firing, quiet) => {
    const t = await registerTenant(sys.url);
    const r = await withRule(t, { type, params, action: 'block' });
    const blocked = await createPayment(t.api, cardBody(CARDS.visa, firing));
    expect(blocked).toMatchObject({ status: 'failed', failure_code: 'fraud_blocked', fraud: { action: 'block', rule_id: r.id } });
    expect(blocked.fraud.reason).toContain('test rule');
    expect((await createPayment(t.api, cardBody(CARDS.visa, quiet))).status).toBe('success');
    // Disabled: never fires.
    await t.api.patch(`/fraud-rules/${r.id}`, { enabled: false });
    expect((await createPayment(t.api, cardBody(CARDS.visa, firing))).status).toBe('success');
  });

  it('a flag emits fraud.detected and an audit row, and the audit chain verifies', async () => {
    const t = await registerTenant(sys.url);
    const r = await withRule(t, { type: 'amount_limit', params: { max_amount: 100 } });
    const p = await createPayment(t.api);
    expect(p).toMatchObject({ status: 'flagged', fraud: { action: 'flag', rule_id: r.id } });
    const types = (await t.api.get(`/events?object_id=${p.id}`)).body.data.map((e: { type: string }) => e.type).reverse();
    expect(types).toEqual(['payment.created', 'fraud.detected', 'payment.flagged']);
    const audit = (await t.api.get(`/payments/${p.id}/audit`)).body.data;
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['payment.created', 'payment.flagged', 'fraud.detected']);
    expect(audit[2].metadata).toMatchObject({ rule_id: r.id, action: 'flag' });
    expect((await t.api.get('/audit/verify')).body.ok).toBe(true);
    expectError(await t.api.post(`/payments/${p.id}/simulate`, { outcome: 'success' }), 409, { type: 'state_error' });
  });

  it('velocity: 30 concurrent creates with a limit of 10 flag exactly the 20 past the limit', async () => {
    const t = await registerTenant(sys.url);
    await withRule(t, { type: 'velocity', params: { max_count: 10, window_seconds: 600, per: 'tenant' } });
    const results = await Promise.all(Array.from({ length: 30 }, () => t.api.post('/payments', cardBody(), { idem: idemKey() })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const statuses = results.map((r) => r.body.status);
    expect(statuses.filter((s) => s === 'success')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'flagged')).toHaveLength(20);
    // The ten that passed were the first ten to commit.
    const rows = await sys.sql<{ status: string }>('SELECT status FROM payments WHERE tenant_id = $1 ORDER BY created_at, id', [t.id]);
    expect(rows).toHaveLength(30);
  });

  it('velocity per card and per customer email counts only that card or email', async () => {
    const t = await registerTenant(sys.url);
    await withRule(t, { type: 'velocity', params: { max_count: 2, window_seconds: 600, per: 'card' } });
    await withRule(t, { type: 'velocity', params: { max_count: 1, window_seconds: 600, per: 'customer_email' }, action: 'block', priority: 200 });
    const visa = () => createPayment(t.api, cardBody(CARDS.visa));
    expect((await visa()).status).toBe('success');
    expect((await visa()).status).toBe('success');
    expect((await visa()).status).toBe('flagged');
    expect((await createPayment(t.api, cardBody(CARDS.mastercard))).status).toBe('success');
    expect((await createPayment(t.api, cardBody(CARDS.amex, { customer_email: 'a@b.test' }))).status).toBe('success');
    expect((await createPayment(t.api, cardBody(CARDS.rupay, { customer_email: 'a@b.test' }))).failure_code).toBe('fraud_blocked');
    expect((await createPayment(t.api, cardBody(CARDS.rupay, { customer_email: 'c@b.test' }))).status).toBe('success');
  });

  it('the rule with the lowest priority number decides', async () => {
    const t = await registerTenant(sys.url);
    await withRule(t, { type: 'amount_limit', params: { max_amount: 1 }, action: 'flag', priority: 20 });
    const block = await withRule(t, { type: 'currency_block', params: { currencies: ['INR'] }, action: 'block', priority: 10 });
    expect((await createPayment(t.api)).fraud).toMatchObject({ action: 'block', rule_id: block.id });
  });

  it('POST /fraud-rules/test says which rules would fire without creating anything', async () => {
    const t = await registerTenant(sys.url);
    await withRule(t, { type: 'amount_limit', params: { max_amount: 100 }, name: 'big' });
    await withRule(t, { type: 'email_domain_block', params: { domains: ['spam.test'] }, action: 'block', name: 'spam', priority: 1 });
    const res = await t.api.post('/fraud-rules/test', { amount: 500, currency: 'INR', customer_email: 'a@spam.test', card: { number: CARDS.visa } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'block', would_fire: [{ name: 'spam', action: 'block' }, { name: 'big', action: 'flag' }] });
    expect((await t.api.post('/fraud-rules/test', { amount: 50, currency: 'INR' })).body).toEqual({ object: 'fraud_evaluation', decision: 'allow', would_fire: [] });
    expect(await sys.sql('SELECT 1 FROM payments WHERE tenant_id = $1', [t.id])).toHaveLength(0);
    expectError(await t.api.post('/fraud-rules/test', { amount: 50 }), 400, { param: 'currency' });
  });
});

describe('fraud rule API', () => {
  it('validates params per type with the param path', async () => {
    const t = await registerTenant(sys.url);
    expectError(await t.api.post('/fraud-rules', { name: 'x', type: 'velocity', action: 'flag', params: { max_count: 5, window_seconds: 60 } }), 400, { param: 'params.per', code: 'parameter_missing' });
    expectError(await t.api.post('/fraud-rules', { name: 'x', type: 'teleport', action: 'flag', params: {} }), 400, { param: 'type' });
    expectError(await t.api.post('/fraud-rules', { name: 'x', type: 'amount_limit', action: 'warn', params: { max_amount: 1 } }), 400, { param: 'action' });
    const r = await withRule(t, { type: 'amount_limit', params: { max_amount: 1 } });
    expectError(await t.api.patch(`/fraud-rules/${r.id}`, { params: { max_amount: -1 } }), 400, { param: 'params.max_amount' });
  });

  it('tenants see global rules read-only and never another tenant\'s rules', async () => {
    const a = await registerTenant(sys.url);
    const b = await registerTenant(sys.url);
    const mine = await withRule(a, { type: 'amount_limit', params: { max_amount: 1 } });
    const list = (await a.api.get('/fraud-rules?limit=100')).body.data;
    expect(list.map((r: { scope: string }) => r.scope).sort()).toEqual(['global', 'global', 'global', 'tenant']);
    const global = list.find((r: { scope: string }) => r.scope === 'global');
    expect((await a.api.get(`/fraud-rules/${global.id}`)).status).toBe(200);
    expectError(await a.api.patch(`/fraud-rules/${global.id}`, { enabled: true }), 403, { code: 'global_rule_read_only' });
    expectError(await a.api.delete(`/fraud-rules/${global.id}`), 403, { type: 'permission_error' });

    expectError(await b.api.get(`/fraud-rules/${mine.id}`), 404);
    expectError(await b.api.patch(`/fraud-rules/${mine.id}`, { enabled: false }), 404);
    expectError(await b.api.delete(`/fraud-rules/${mine.id}`), 404);
    expect((await b.api.get('/fraud-rules?limit=100')).body.data.some((r: { id: string }) => r.id === mine.id)).toBe(false);

    expect((await a.api.delete(`/fraud-rules/${mine.id}`)).body).toMatchObject({ deleted: true });
    expectError(await a.api.get(`/fraud-rules/${mine.id}`), 404);
    const audit = await sys.sql<{ action: string }>('SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id', [mine.id]);
    expect(audit.map((x) => x.action)).toEqual(['fraud_rule.created', 'fraud_rule.deleted']);
  });
});

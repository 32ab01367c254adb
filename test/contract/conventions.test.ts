import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, idemKey, registerTenant, type TestTenant } from '../support/client.ts';
import { CARDS, cardBody, createPayment } from '../support/payments.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let t: TestTenant;
beforeAll(async () => {
  sys = await startTestSystem({ IDEMPOTENCY_LOCK_TIMEOUT_MS: '50' });
  t = await registerTenant(sys.url);
});
afterAll(() => sys?.stop());

describe('contract conventions settled in the route table', () => {
  it('orders carry metadata, accept notes as its alias, and let it be updated; so do payments', async () => {
    const a = await t.api.post('/orders', { amount: 100, currency: 'INR', notes: { cart: '7' } });
    expect(a.status).toBe(201);
    expect(a.body.metadata).toEqual({ cart: '7' });
    expect(a.body.notes).toBeUndefined();
    expectError(await t.api.post('/orders', { amount: 100, currency: 'INR', notes: {}, metadata: {} }), 400, { param: 'notes' });
    const patched = await t.api.patch(`/orders/${a.body.id}`, { metadata: { cart: '8', gift: true } });
    expect(patched.body.metadata).toEqual({ cart: '8', gift: true });
    expect((await t.api.patch(`/orders/${a.body.id}`, { notes: { x: 1 } })).body.metadata).toEqual({ x: 1 });
    expectError(await t.api.patch(`/orders/${a.body.id}`, { amount: 5 }), 400, { code: 'parameter_unknown' });

    const p = await createPayment(t.api);
    expect((await t.api.patch(`/payments/${p.id}`, { metadata: { shipped: true } })).body.metadata).toEqual({ shipped: true });
    const audit = (await t.api.get(`/payments/${p.id}/audit`)).body.data.map((r: any) => r.action);
    expect(audit).toContain('payment.updated');
  });

  it('lists page both ways: starting_after to older, ending_before to newer', async () => {
    const other = await registerTenant(sys.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.unshift((await other.api.post('/orders', { amount: 100 + i, currency: 'INR' })).body.id);
    // ids is newest first, as lists are.
    const first = await other.api.get('/orders?limit=2');
    expect(first.body.data.map((o: any) => o.id)).toEqual(ids.slice(0, 2));
    const second = await other.api.get(`/orders?limit=2&starting_after=${first.body.next_cursor}`);
    expect(second.body.data.map((o: any) => o.id)).toEqual(ids.slice(2, 4));
    const back = await other.api.get(`/orders?limit=2&ending_before=${second.body.data[0].id}`);
    expect(back.body.data.map((o: any) => o.id)).toEqual(ids.slice(0, 2));
    expect(back.body.has_more).toBe(false);
    const backOne = await other.api.get(`/orders?limit=1&ending_before=${ids[2]}`);
    expect(backOne.body).toMatchObject({ data: [{ id: ids[1] }], has_more: true });
    expectError(await other.api.get(`/orders?ending_before=${ids[0]}&starting_after=${ids[1]}`), 400, { param: 'ending_before' });
    expectError(await other.api.get('/orders?ending_before=order_00000000000000000000'), 400, { code: 'invalid_cursor', param: 'ending_before' });
  });

  it('an event says what it is and which API version shaped it', async () => {
    const p = await createPayment(t.api);
    const list = await t.api.get(`/events?object_id=${p.id}`);
    for (const e of list.body.data) expect(e).toMatchObject({ object: 'event', api_version: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const one = await t.api.get(`/events/${list.body.data[0].id}`);
    expect(one.body).toEqual(list.body.data[0]);
  });

  it('a paid order refuses another payment with a state_error', async () => {
    const order = (await t.api.post('/orders', { amount: 100, currency: 'INR' })).body;
    await createPayment(t.api, { ...cardBody(), amount: undefined, currency: undefined, order_id: order.id });
    const again = await t.api.post('/payments', { ...cardBody(), amount: undefined, currency: undefined, order_id: order.id }, { idem: idemKey() });
    expectError(again, 409, { type: 'state_error', code: 'order_already_paid' });
  });

  it("the Idempotency-Key wait bound does not leak into the payment's own row locks", async () => {
    const p = await createPayment(t.api, cardBody(CARDS.visa, { capture: 'manual' }));
    const holder = new pg.Client({ connectionString: sys.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM payments WHERE id = $1 FOR UPDATE', [p.id]);
      const capture = t.api.post(`/payments/${p.id}/capture`, {}, { idem: idemKey() });
      // Wait until the capture is queued behind our row lock, then hold it well past the 50 ms key bound.
      for (let i = 0; i < 200; i++) {
        const waiting = await sys.sql("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%' AND pid <> pg_backend_pid()");
        if (waiting.length > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await new Promise((r) => setTimeout(r, 300));
      await holder.query('COMMIT');
      const res = await capture;
      expect(res.status, res.text).toBe(200);
      expect(res.body.status).toBe('success');
    } finally {
      await holder.end();
    }
  });
});

describe('keys, secrets and the Idempotency-Key space', () => {
  it('a publishable key may not choose where signed events go (webhook_url)', async () => {
    const res = await t.api.post('/payments', { ...cardBody(), webhook_url: 'http://127.0.0.1:9/x' }, { idem: idemKey(), key: t.pk });
    expectError(res, 403, { type: 'permission_error', param: 'webhook_url' });
    expect((await t.api.post('/payments', { ...cardBody(), webhook_url: 'http://127.0.0.1:9/x' }, { idem: idemKey() })).status).toBe(201);
  });

  it('a browser (publishable key) cannot take a key the server (secret key) uses', async () => {
    const key = idemKey();
    const fromBrowser = await t.api.post('/payments', cardBody(CARDS.visa, { amount: 111 }), { idem: key, key: t.pk });
    expect(fromBrowser.status).toBe(201);
    const fromServer = await t.api.post('/payments', cardBody(CARDS.visa, { amount: 222 }), { idem: key });
    expect(fromServer.status).toBe(201);
    expect(fromServer.headers.get('idempotent-replayed')).toBeNull();
    expect(fromServer.body.id).not.toBe(fromBrowser.body.id);
    // Each side still replays its own.
    const replay = await t.api.post('/payments', cardBody(CARDS.visa, { amount: 222 }), { idem: key });
    expect(replay.body.id).toBe(fromServer.body.id);
  });

  it('a replayed endpoint create never hands out a signing secret (it may have been rotated since)', async () => {
    const key = idemKey();
    const body = { url: 'http://127.0.0.1:9/hooks', events: ['*'] };
    const first = await t.api.post('/webhook-endpoints', body, { idem: key });
    expect(first.body.secret).toMatch(/^whsec_/);
    await t.api.post(`/webhook-endpoints/${first.body.id}/rotate-secret`, {});
    const replay = await t.api.post('/webhook-endpoints', body, { idem: key });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.secret).toBeUndefined();
    const stored = await sys.sql<{ response_body: string }>('SELECT response_body FROM idempotency_keys WHERE tenant_id = $1', [t.id]);
    expect(stored.map((r) => r.response_body).join('')).not.toContain('whsec_');
  });
});

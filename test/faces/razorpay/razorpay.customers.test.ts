import type Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, idemKey, registerTenant, type TestTenant } from '../../support/client.ts';
import { CARDS, eventually } from '../../support/payments.ts';
import { basicAuth, expectRazorpayError, razorpayKeys, razorpaySdk, sdkError, type RazorpayKeys } from '../../support/razorpay.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/** Customers and their saved cards (tokens) through the official SDK. */
let sys: TestSystem;
let rzp: Razorpay;
let keys: RazorpayKeys;
let tenant: TestTenant;
let other: Razorpay;
const sdk = () => rzp as any;

beforeAll(async () => {
  sys = await startTestSystem();
  tenant = await registerTenant(sys.url, 'A');
  keys = await razorpayKeys(tenant);
  rzp = razorpaySdk(sys.url, keys);
  other = razorpaySdk(sys.url, await razorpayKeys(await registerTenant(sys.url, 'B')));
});
afterAll(() => sys?.stop());

describe('customers', () => {
  it('create, fetch, edit and all', async () => {
    const c = await rzp.customers.create({ name: 'Gaurav Kumar', email: 'gaurav@example.com', contact: '9123456780', notes: { tier: 'gold' } });
    expect(c).toMatchObject({ id: expect.stringMatching(/^cust_[0-9A-Za-z]+$/), entity: 'customer', name: 'Gaurav Kumar', email: 'gaurav@example.com', contact: '9123456780', gstin: null, notes: { tier: 'gold' } });
    expect(await rzp.customers.fetch(c.id)).toEqual(c);
    const edited = await rzp.customers.edit(c.id, { name: 'Gaurav K', contact: '9123456781' });
    expect(edited).toMatchObject({ id: c.id, name: 'Gaurav K', contact: '9123456781', email: 'gaurav@example.com' });
    const second = await rzp.customers.create({ name: 'Saanvi Rao', email: 'saanvi@example.com' });
    const all = await rzp.customers.all({ count: 1 });
    expect(all).toMatchObject({ entity: 'collection', count: 1 });
    expect(all.items[0]!.id).toBe(second.id);
    expect((await rzp.customers.all({ skip: 1 })).items.map((x: any) => x.id)).toContain(c.id);
  });

  it('fail_existing: 1 (default) refuses a customer with the same email and contact, 0 answers that customer', async () => {
    const c = await rzp.customers.create({ name: 'Asha Nair', email: 'asha@example.com', contact: '9000000001' });
    expectRazorpayError(await sdkError(rzp.customers.create({ name: 'Asha Nair', email: 'asha@example.com', contact: '9000000001' })), 400, { description: /already exists/ });
    expectRazorpayError(await sdkError(rzp.customers.create({ name: 'Asha Nair', email: 'asha@example.com', contact: '9000000001', fail_existing: 1 })), 400);
    expect((await rzp.customers.create({ name: 'Asha N', email: 'asha@example.com', contact: '9000000001', fail_existing: 0 })).id).toBe(c.id);
    expect((await sdk().customers.create({ name: 'Asha N', email: 'asha@example.com', contact: '9000000001', fail_existing: '0' })).id).toBe(c.id);
    // Another contact is another customer.
    expect((await rzp.customers.create({ name: 'Asha Nair', email: 'asha@example.com', contact: '9000000002' })).id).not.toBe(c.id);
  });

  it('bad input and unknown or foreign ids are Razorpay 400s', async () => {
    expectRazorpayError(await sdkError(sdk().customers.create({ email: 'x@example.com' })), 400, { field: 'name' });
    expectRazorpayError(await sdkError(sdk().customers.create({ name: 'Valid Name', email: 'not-an-email' })), 400, { field: 'email' });
    const c = await rzp.customers.create({ name: 'Tenant A only' });
    expectRazorpayError(await sdkError(other.customers.fetch(c.id)), 400, { description: /does not exist/ });
    expectRazorpayError(await sdkError(rzp.customers.fetch('cust_nope')), 400);
  });
});

describe('tokens (saved cards)', () => {
  it('a card saved for a customer is listed, fetched and deleted through the customer and the token', async () => {
    const c = await rzp.customers.create({ name: 'Card Holder', email: 'holder@example.com' });
    const token = await sdk().tokens.create({ customer_id: c.id, method: 'card', card: { number: '4242424242424242', cvv: '123', expiry_month: '12', expiry_year: '30', name: 'Card Holder' } });
    expect(token).toMatchObject({
      id: expect.stringMatching(/^token_/), entity: 'token', method: 'card', customer_id: c.id, status: 'active', recurring: false,
      card: { entity: 'card', last4: '4242', network: 'Visa', expiry_month: 12, expiry_year: 2030, name: 'Card Holder' },
    });
    expect(JSON.stringify(token)).not.toContain('4242424242424242');
    const list = await rzp.customers.fetchTokens(c.id);
    expect(list).toMatchObject({ entity: 'collection', count: 1 });
    expect(list.items[0]!.id).toBe(token.id);
    expect(await rzp.customers.fetchToken(c.id, token.id)).toEqual(token);
    expect(await sdk().tokens.fetch({ id: token.id })).toEqual(token);
    // cards.fetch: the saved card by its card_ id.
    expect(await rzp.cards.fetch(token.card.id)).toEqual(token.card);
    expectRazorpayError(await sdkError(other.cards.fetch(token.card.id)), 400, { description: /does not exist/ });

    // Another customer's token is not this customer's.
    const d = await rzp.customers.create({ name: 'Someone Else' });
    expectRazorpayError(await sdkError(rzp.customers.fetchToken(d.id, token.id)), 400, { description: /does not exist/ });

    expect(await rzp.customers.deleteToken(c.id, token.id)).toEqual({ deleted: true });
    expect((await rzp.customers.fetchTokens(c.id)).count).toBe(0);
    expectRazorpayError(await sdkError(rzp.customers.fetchToken(c.id, token.id)), 400);

    const second = await sdk().tokens.create({ customer_id: c.id, method: 'card', card: { number: '5555555555554444', cvv: '123', expiry_month: 1, expiry_year: 2031 } });
    expect(second.card.network).toBe('MasterCard');
    await sdk().tokens.delete({ id: second.id });
    expectRazorpayError(await sdkError(sdk().tokens.fetch({ id: second.id })), 400);
  });

  it("checkout's save card (customer_id + save: 1) makes a token of the card paid with, once per card", async () => {
    const c = await rzp.customers.create({ name: 'Returning Buyer', email: 'buyer@example.com' });
    // What checkout.js sends in Razorpay mode for {key, order_id, customer_id, save: 1}: the session keeps the customer.
    const checkout = async (customerId: string | null, number: string = CARDS.visa) => {
      const order = await rzp.orders.create({ amount: 5000, currency: 'INR' });
      const s = await new Client(sys.url).post('/api/v1/checkout/sessions', { order_id: order.id, ...(customerId ? { save_card: { customer_id: customerId } } : {}) }, { key: keys.key_id });
      expect(s.status, s.text).toBe(201);
      const paid = await new Client(sys.url).post(`/checkout/${s.body.id}/pay`, { method: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc: '123' } }, { headers: { 'idempotency-key': idemKey() } });
      expect(paid.status, paid.text).toBe(200);
      return paid.body;
    };
    await checkout(c.id);
    const tokens = await rzp.customers.fetchTokens(c.id);
    expect(tokens.count).toBe(1);
    expect(tokens.items[0]).toMatchObject({ customer_id: c.id, method: 'card', card: { last4: '4242', network: 'Visa', expiry_month: 12, expiry_year: 2030 } });
    await checkout(c.id); // the same card again: no second token
    await checkout(c.id, CARDS.mastercard);
    await checkout(null, CARDS.rupay); // not asked to save
    const after = await rzp.customers.fetchTokens(c.id);
    expect(after.items.map((k: any) => k.card.last4).sort()).toEqual(['4242', '4444']);
    // A declined card saves nothing.
    const d = await rzp.customers.create({ name: 'Declined Buyer' });
    await checkout(d.id, CARDS.declined);
    expect((await rzp.customers.fetchTokens(d.id)).count).toBe(0);
  });

  it("cards.requestCardReference: one card, one payment_account_reference, by number or by its token", async () => {
    const c = await rzp.customers.create({ name: 'PAR Holder' });
    const token = await sdk().tokens.create({ customer_id: c.id, method: 'card', card: { number: '5555555555554444', cvv: '123', expiry_month: 12, expiry_year: 2031 } });
    const byNumber: any = await rzp.cards.requestCardReference({ number: '5555555555554444' });
    expect(byNumber).toEqual({ network: 'MasterCard', payment_account_reference: expect.stringMatching(/^[0-9A-Z]{29}$/), network_reference_id: null });
    expect(await rzp.cards.requestCardReference({ token: token.id })).toEqual(byNumber);
    expect(((await rzp.cards.requestCardReference({ number: '4242424242424242' })) as any).payment_account_reference).not.toBe(byNumber.payment_account_reference);
    expectRazorpayError(await sdkError(rzp.cards.requestCardReference({ number: '4111111111111111' })), 400, { field: 'number' });
  });

  it('fund accounts: a bank account is added to a customer and listed by customer', async () => {
    const c = await rzp.customers.create({ name: 'Fund Holder' });
    const fa: any = await rzp.fundAccount.create({ customer_id: c.id, account_type: 'bank_account', bank_account: { name: 'Fund Holder', ifsc: 'HDFC0000053', account_number: 765432123456789 } });
    expect(fa).toMatchObject({ id: expect.stringMatching(/^fa_/), entity: 'fund_account', customer_id: c.id, active: true, bank_account: { ifsc: 'HDFC0000053', bank_name: 'HDFC Bank', account_number: '765432123456789', name: 'Fund Holder' } });
    expect(await rzp.fundAccount.fetch(c.id)).toEqual({ entity: 'collection', count: 1, items: [fa] });
    expect((await rzp.fundAccount.fetch((await rzp.customers.create({ name: 'No Accounts' })).id)).count).toBe(0);
    expectRazorpayError(await sdkError(rzp.fundAccount.create({ customer_id: c.id, account_type: 'bank_account', bank_account: { name: 'Fund Holder', ifsc: 'bad', account_number: '1' } })), 400);
    expectRazorpayError(await sdkError(other.fundAccount.fetch(c.id)), 400, { description: /does not exist/ });
  });

  it("the request log keeps neither the card's number nor its cvv", async () => {
    const c = await rzp.customers.create({ name: 'Logged Holder' });
    const res = await new Client(sys.url).post('/v1/tokens', { customer_id: c.id, method: 'card', card: { number: '378282246310005', cvv: '7391', expiry_month: 12, expiry_year: 2030 } },
      { key: null, headers: { authorization: basicAuth(keys) } });
    expect(res.status, res.text).toBe(200);
    const id = res.headers.get('x-request-id')!;
    await eventually(() => tenant.api.get(`/request-log?request_id=${encodeURIComponent(id)}`), (r) => r.body?.data?.length === 1);
    const [row] = await sys.sql<{ text: string }>('SELECT row_to_json(r)::text AS text FROM request_log r WHERE request_id = $1', [id]);
    expect(row!.text).toContain('••••0005'); // the body is kept, masked
    expect(row!.text).not.toContain('378282246310005');
    expect(row!.text).not.toContain('7391');
  });

  it('refuses a card that is not a test card, and an unknown customer', async () => {
    const c = await rzp.customers.create({ name: 'Card Holder Two' });
    expectRazorpayError(await sdkError(sdk().tokens.create({ customer_id: c.id, method: 'card', card: { number: '4111111111111112', cvv: '123', expiry_month: 12, expiry_year: 2030 } })), 400);
    expectRazorpayError(await sdkError(sdk().tokens.create({ customer_id: 'cust_00000000000000000000', method: 'card', card: { number: '4242424242424242', cvv: '123', expiry_month: 12, expiry_year: 2030 } })), 400, { description: /does not exist/ });
  });
});

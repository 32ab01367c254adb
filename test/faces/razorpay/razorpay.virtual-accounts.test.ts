import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/payments.ts';
import { expectRazorpayError, razorpayWorld, sdkError, type RazorpayWorld } from '../../support/razorpay.ts';

/** Smart Collect virtual accounts (VPA receivers) through the official SDK; payers simulated with POST /v1/virtual_accounts/:id/pay. */
let w: RazorpayWorld;
let rzp: Razorpay, other: Razorpay;

beforeAll(async () => {
  w = await razorpayWorld(['virtual_account.created', 'virtual_account.credited', 'virtual_account.closed'], 'va-webhook-secret', { JOB_POLL_SECONDS: '1' });
  ({ rzp, other } = w);
});
afterAll(() => w?.stop());

const hooks = (event: string, id: string) => w.hooks(event, 'virtual_account', id);
const pay = (id: string, body: Record<string, unknown>) => w.sandpay(`/v1/virtual_accounts/${id}/pay`, body);

describe('virtual accounts', () => {
  it('create, fetch, all; payments to its VPA credit it (virtual_account.created, .credited), then close (.closed)', async () => {
    const customer = await rzp.customers.create({ name: 'Tenant Payer' });
    const va: any = await rzp.virtualAccounts.create({ receivers: { types: ['vpa'], vpa: { descriptor: 'flat12' } }, name: 'Rent', description: 'Flat 12', customer_id: customer.id, notes: { flat: '12' } } as any);
    expect(va).toMatchObject({
      id: expect.stringMatching(/^va_/), entity: 'virtual_account', status: 'active', name: 'Rent', amount_paid: 0, customer_id: customer.id, notes: { flat: '12' },
      receivers: [{ entity: 'vpa', address: expect.stringMatching(/^rpy\.paytoflat12[0-9a-z]+@sandpay$/) }], allowed_payers: [],
    });
    expect(await rzp.virtualAccounts.fetch(va.id)).toEqual(va);
    expect((await rzp.virtualAccounts.all()).items.map((v: any) => v.id)).toContain(va.id);
    await eventually(async () => hooks('virtual_account.created', va.id), (h) => h.length === 1);

    const first = await pay(va.id, { amount: 30000 });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ method: 'upi', status: 'captured', amount: 30000 });
    expect((await pay(va.id, { amount: 500, vpa: 'failure@razorpay' })).body.status).toBe('failed');
    await pay(va.id, { amount: 20000 });
    expect(await rzp.virtualAccounts.fetch(va.id)).toMatchObject({ amount_paid: 50000 });
    const payments = await rzp.virtualAccounts.fetchPayments(va.id);
    expect(payments.count).toBe(3);
    expect(payments.items[2]!.id).toBe(first.body.id);
    const credited = await eventually(async () => hooks('virtual_account.credited', va.id), (h) => h.length === 2);
    expect(credited[0]).toMatchObject({ contains: ['payment', 'virtual_account'], payload: { payment: { entity: { id: first.body.id } }, virtual_account: { entity: { amount_paid: 30000 } } } });

    expect(await rzp.virtualAccounts.close(va.id)).toMatchObject({ status: 'closed', closed_at: expect.any(Number) });
    await eventually(async () => hooks('virtual_account.closed', va.id), (h) => h.length === 1);
    expect((await pay(va.id, { amount: 100 })).status).toBe(400);
    expectRazorpayError(await sdkError(rzp.virtualAccounts.close(va.id)), 400);
    expectRazorpayError(await sdkError(other.virtualAccounts.fetch(va.id)), 400, { description: /does not exist/ });
  });

  it('allowed payers are added and removed; a receiver only where there is none', async () => {
    const va: any = await rzp.virtualAccounts.create({ receivers: { types: ['vpa'] } } as any);
    const payer = { type: 'bank_account', bank_account: { ifsc: 'UTIB0000013', account_number: '914010012345679' } } as const;
    const withPayer: any = await rzp.virtualAccounts.allowedPayer(va.id, payer as any);
    expect(withPayer.allowed_payers).toEqual([{ id: expect.stringMatching(/^ba_/), entity: 'bank_account', type: 'bank_account', bank_account: payer.bank_account }]);
    expectRazorpayError(await sdkError(rzp.virtualAccounts.allowedPayer(va.id, payer as any)), 400);
    await rzp.virtualAccounts.deleteAllowedPayer(va.id, withPayer.allowed_payers[0].id);
    expect((await rzp.virtualAccounts.fetch(va.id)).allowed_payers).toEqual([]);
    expectRazorpayError(await sdkError(rzp.virtualAccounts.deleteAllowedPayer(va.id, withPayer.allowed_payers[0].id)), 400);
    expectRazorpayError(await sdkError(rzp.virtualAccounts.addReceiver(va.id, { types: ['vpa'] } as any)), 400);
  });

  it('closes at close_by; bank-account receivers are refused in Razorpay shape', async () => {
    const va: any = await rzp.virtualAccounts.create({ receivers: { types: ['vpa'] }, close_by: Math.floor(Date.now() / 1000) + 2 } as any);
    await eventually(async () => hooks('virtual_account.closed', va.id), (h) => h.length === 1, 20_000);
    expectRazorpayError(await sdkError(rzp.virtualAccounts.create({ receivers: { types: ['bank_account'] } } as any)), 400, { description: /vpa receivers only/ });
  });
});

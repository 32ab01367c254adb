import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTenant } from '../../support/client.ts';
import { cardBody, createPayment, eventually } from '../../support/payments.ts';
import { expectRazorpayError, razorpayWorld, sdkError, type RazorpayWorld } from '../../support/razorpay.ts';

/** Disputes through the official SDK (fetch, all, accept, contest), raised and decided by Sandpay-only calls; payment.dispute.* webhooks. */
let w: RazorpayWorld;
let t: TestTenant, rzp: Razorpay, other: Razorpay;

beforeAll(async () => {
  w = await razorpayWorld(['payment.dispute.created', 'payment.dispute.under_review', 'payment.dispute.won', 'payment.dispute.lost'], 'dispute-webhook-secret');
  ({ t, rzp, other } = w);
});
afterAll(() => w?.stop());

const hooks = (event: string, id: string) => w.hooks(event, 'dispute', id);
async function disputed(amount?: number): Promise<{ payment: any; dispute: any }> {
  const payment = await createPayment(t.api, { ...cardBody(), amount: 20000 });
  const res = await w.sandpay(`/v1/payments/${payment.id}/disputes`, amount ? { amount } : {});
  expect(res.status, res.text).toBe(200);
  return { payment, dispute: res.body };
}

describe('disputes', () => {
  it('a chargeback is fetched and listed; accepting it loses it (payment.dispute.created, .lost)', async () => {
    const { payment, dispute } = await disputed(15000);
    expect(dispute).toMatchObject({ id: expect.stringMatching(/^disp_/), entity: 'dispute', payment_id: payment.id, amount: 15000, amount_deducted: 0, status: 'open', phase: 'chargeback', currency: 'INR' });
    expect(await rzp.disputes.fetch(dispute.id)).toEqual(dispute);
    expect((await rzp.disputes.all()).items.map((d: any) => d.id)).toContain(dispute.id);
    const [created] = await eventually(async () => hooks('payment.dispute.created', dispute.id), (h) => h.length === 1);
    expect(created).toMatchObject({ contains: ['payment', 'dispute'], payload: { payment: { entity: { id: payment.id, status: 'captured' } } } });
    expect(await rzp.disputes.accept(dispute.id)).toMatchObject({ status: 'lost', amount_deducted: 15000 });
    await eventually(async () => hooks('payment.dispute.lost', dispute.id), (h) => h.length === 1);
    expectRazorpayError(await sdkError(rzp.disputes.accept(dispute.id)), 400);
    expectRazorpayError(await sdkError(other.disputes.fetch(dispute.id)), 400, { description: /does not exist/ });
  });

  it('contest: a draft keeps the evidence; submit puts it under review; the bank decides (won)', async () => {
    const { dispute } = await disputed();
    const draft: any = await rzp.disputes.contest(dispute.id, { summary: 'Delivered', shipping_proof: ['doc_EFtmUsbwpXwBH9'], action: 'draft' });
    expect(draft).toMatchObject({ status: 'open', evidence: { summary: 'Delivered', shipping_proof: ['doc_EFtmUsbwpXwBH9'], submitted_at: null } });
    const submitted: any = await rzp.disputes.contest(dispute.id, { billing_proof: ['doc_1'], action: 'submit' });
    expect(submitted).toMatchObject({ status: 'under_review', evidence: { summary: 'Delivered', billing_proof: ['doc_1'], submitted_at: expect.any(Number) } });
    await eventually(async () => hooks('payment.dispute.under_review', dispute.id), (h) => h.length === 1);
    expectRazorpayError(await sdkError(rzp.disputes.accept(dispute.id)), 400);
    const won = await w.sandpay(`/v1/disputes/${dispute.id}/resolve`, { outcome: 'won' });
    expect(won.body).toMatchObject({ status: 'won', amount_deducted: 0 });
    await eventually(async () => hooks('payment.dispute.won', dispute.id), (h) => h.length === 1);
  });

  it('refuses a dispute on an uncaptured payment or above the captured amount, and bad evidence', async () => {
    const auth = await createPayment(t.api, cardBody(undefined, { capture: 'manual' }));
    expect((await w.sandpay(`/v1/payments/${auth.id}/disputes`, {})).status).toBe(400);
    const paid = await createPayment(t.api, { ...cardBody(), amount: 1000 });
    expect((await w.sandpay(`/v1/payments/${paid.id}/disputes`, { amount: 2000 })).status).toBe(400);
    const { dispute } = await disputed();
    expectRazorpayError(await sdkError(rzp.disputes.contest(dispute.id, { action: 'shout' } as any)), 400, { field: 'action' });
  });

  it('one undecided dispute per payment, even raised at once; never more than what was not refunded', async () => {
    const payment = await createPayment(t.api, { ...cardBody(), amount: 20000 });
    const raced = await Promise.all(Array.from({ length: 4 }, () => w.sandpay(`/v1/payments/${payment.id}/disputes`, {})));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 400, 400, 400]);
    expect(raced.find((r) => r.status === 400)!.body.error.description).toMatch(/already has a dispute/);
    const refunded = await createPayment(t.api, { ...cardBody(), amount: 20000 });
    await rzp.payments.refund(refunded.id, { amount: 15000 });
    expect((await w.sandpay(`/v1/payments/${refunded.id}/disputes`, { amount: 6000 })).status).toBe(400);
    expect((await w.sandpay(`/v1/payments/${refunded.id}/disputes`, {})).body).toMatchObject({ amount: 5000 });
  });
});

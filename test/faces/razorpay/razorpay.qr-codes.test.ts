import Razorpay from 'razorpay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/payments.ts';
import { expectRazorpayError, razorpayWorld, sdkError, type RazorpayWorld } from '../../support/razorpay.ts';
import type { TestSystem } from '../../support/system.ts';

/** UPI QR codes through the official SDK; a payer simulated with POST /v1/payments/qr_codes/:id/pay; qr_code.* webhooks. */
let w: RazorpayWorld;
let sys: TestSystem, rzp: Razorpay, other: Razorpay;

beforeAll(async () => {
  w = await razorpayWorld(['qr_code.created', 'qr_code.credited', 'qr_code.closed'], 'qr-webhook-secret', { JOB_POLL_SECONDS: '1' });
  ({ sys, rzp, other } = w);
});
afterAll(() => w?.stop());

const hooks = (event: string, id: string) => w.hooks(event, 'qr_code', id);
const pay = (id: string, body: Record<string, unknown>) => w.sandpay(`/v1/payments/qr_codes/${id}/pay`, body);

describe('QR codes', () => {
  it('a single_use fixed-amount QR is paid once, credited, then closed (qr_code.created, .credited, .closed)', async () => {
    const customer = await rzp.customers.create({ name: 'Store Owner' });
    const qr: any = await rzp.qrCode.create({ type: 'upi_qr', name: 'Store 1', usage: 'single_use', fixed_amount: true, payment_amount: 30000, description: 'Counter 1', customer_id: customer.id, notes: { till: '1' } });
    expect(qr).toMatchObject({
      id: expect.stringMatching(/^qr_/), entity: 'qr_code', type: 'upi_qr', usage: 'single_use', status: 'active', payment_amount: 30000, fixed_amount: true,
      payments_amount_received: 0, payments_count_received: 0, customer_id: customer.id, notes: { till: '1' }, image_url: `${sys.url}/i/${qr.id}`,
      image_content: expect.stringContaining('upi://pay?'), close_reason: null,
    });
    expect(await rzp.qrCode.fetch(qr.id)).toEqual(qr);
    const page = await fetch(qr.image_url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('upi://pay');
    await eventually(async () => hooks('qr_code.created', qr.id), (h) => h.length === 1);

    const wrong = await pay(qr.id, { amount: 100 });
    expect(wrong.status).toBe(400);
    const res = await pay(qr.id, { vpa: 'success@razorpay' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ entity: 'payment', method: 'upi', vpa: 'success@razorpay', amount: 30000, status: 'captured' });

    const after: any = await rzp.qrCode.fetch(qr.id);
    expect(after).toMatchObject({ status: 'closed', close_reason: 'paid', payments_amount_received: 30000, payments_count_received: 1, closed_at: expect.any(Number) });
    const payments = await rzp.qrCode.fetchAllPayments(qr.id);
    expect(payments).toMatchObject({ entity: 'collection', count: 1, items: [{ id: res.body.id, status: 'captured' }] });
    const [credited] = await eventually(async () => hooks('qr_code.credited', qr.id), (h) => h.length === 1);
    expect(credited).toMatchObject({ contains: ['payment', 'qr_code'], payload: { payment: { entity: { id: res.body.id } }, qr_code: { entity: { payments_count_received: 1 } } } });
    await eventually(async () => hooks('qr_code.closed', qr.id), (h) => h.length === 1);
    expect((await pay(qr.id, {})).status).toBe(400);
    expect(((await (rzp.qrCode as any).all({ payment_id: res.body.id })) as any).items.map((q: any) => q.id)).toEqual([qr.id]);
  });

  it('a multiple_use QR takes any amount until closed; a failed VPA credits nothing', async () => {
    const qr: any = await rzp.qrCode.create({ type: 'upi_qr', name: 'Shelf', usage: 'multiple_use', fixed_amount: false });
    expect((await pay(qr.id, {})).status).toBe(400); // no amount
    expect((await pay(qr.id, { amount: 1000 })).body.status).toBe('captured');
    expect((await pay(qr.id, { amount: 2500, vpa: 'failure@razorpay' })).body.status).toBe('failed');
    expect((await pay(qr.id, { amount: 4000 })).body.status).toBe('captured');
    expect(await rzp.qrCode.fetch(qr.id)).toMatchObject({ status: 'active', payments_amount_received: 5000, payments_count_received: 2 });
    const all = await rzp.qrCode.fetchAllPayments(qr.id, { count: 2 } as any);
    expect(all.count).toBe(2);
    expect((await rzp.qrCode.fetchAllPayments(qr.id)).count).toBe(3);
    expect(await rzp.qrCode.close(qr.id)).toMatchObject({ status: 'closed', close_reason: 'on_demand' });
    await eventually(async () => hooks('qr_code.closed', qr.id), (h) => h.length === 1);
    expectRazorpayError(await sdkError(rzp.qrCode.close(qr.id)), 400);
    expect((await rzp.qrCode.all({ count: 10 } as any)).items.map((q: any) => q.id)).toContain(qr.id);
  });

  it('closes at close_by; bad input and foreign ids are Razorpay 400s', async () => {
    const qr: any = await rzp.qrCode.create({ type: 'upi_qr', usage: 'single_use', fixed_amount: true, payment_amount: 500, close_by: Math.floor(Date.now() / 1000) + 2 });
    await eventually(async () => hooks('qr_code.closed', qr.id), (h) => h.length === 1, 20_000);
    expect(await rzp.qrCode.fetch(qr.id)).toMatchObject({ status: 'closed' });
    expectRazorpayError(await sdkError(rzp.qrCode.create({ type: 'bharat_qr', usage: 'single_use' } as any)), 400, { field: 'type' });
    expectRazorpayError(await sdkError(rzp.qrCode.create({ type: 'upi_qr', usage: 'single_use', fixed_amount: true } as any)), 400, { field: 'payment_amount' });
    expectRazorpayError(await sdkError(other.qrCode.fetch(qr.id)), 400, { description: /does not exist/ });
  });
});

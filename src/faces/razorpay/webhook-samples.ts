import type { PaymentObject } from '../../payments/schemas.ts';
import { newId, randomBase62 } from '../../ids.ts';
import type { OwnEventSample } from '../../webhooks/faces.ts';
import { samplePayment } from '../../webhooks/samples.ts';
import { rzpPayment } from './entities.ts';
import { OWN_EVENTS, unix, type Entities, type OwnEvent, type OwnEventObject } from './own-objects.ts';

/**
 * Samples of the Razorpay face's own events (payment links, invoices, QR codes, virtual accounts,
 * disputes, settlements) for the handler check: each payload's entities as Razorpay names them,
 * the payment through the same mapper real deliveries use.
 */
export function ownEventSamples(now: Date): OwnEventSample[] {
  const at = unix(now);
  // A partly paid link or invoice has had half its amount.
  const paidOf = (status: string) => (status === 'paid' ? 5000 : status === 'partially_paid' ? 2500 : 0);
  const payment = rzpPayment(samplePayment(now, { id: newId('payment'), method: 'upi', card: null, vpa: 'success@razorpay' }) as unknown as PaymentObject);
  const order = { id: newId('order'), entity: 'order', amount: 5000, amount_paid: 5000, amount_due: 0, currency: 'INR', receipt: null, status: 'paid', attempts: 1, notes: [], created_at: at };
  const link = (status: string) => ({
    id: newId('rzpPaymentLink'), entity: 'payment_link', amount: 5000, amount_paid: paidOf(status), currency: 'INR', status, accept_partial: status === 'partially_paid',
    description: 'Sandpay check-handler', reference_id: 'check-1', short_url: 'http://127.0.0.1:3000/i/check', notes: [], created_at: at, updated_at: at,
  });
  const invoice = (status: string) => ({
    id: newId('rzpInvoice'), entity: 'invoice', type: 'invoice', status, amount: 5000, amount_paid: paidOf(status), amount_due: 5000 - paidOf(status),
    currency: 'INR', order_id: order.id, short_url: 'http://127.0.0.1:3000/i/check', notes: [], created_at: at,
  });
  const qr = (status: string) => ({
    id: newId('rzpQrCode'), entity: 'qr_code', name: 'Sandpay shop', usage: 'single_use', type: 'upi_qr', image_url: 'http://127.0.0.1:3000/i/check',
    payment_amount: 5000, status, payments_amount_received: status === 'active' ? 0 : 5000, payments_count_received: status === 'active' ? 0 : 1, notes: [], created_at: at,
  });
  const va = (status: string) => ({
    id: newId('rzpVirtualAccount'), entity: 'virtual_account', name: 'Sandpay shop', status, amount_paid: status === 'active' ? 0 : 5000, notes: [],
    receivers: [{ id: `vpa_${randomBase62(14)}`, entity: 'vpa', username: 'rpy.check', handle: 'icici', address: 'rpy.check@icici' }], created_at: at,
  });
  const dispute = (status: string) => ({
    id: newId('rzpDispute'), entity: 'dispute', payment_id: payment.id, amount: 5000, currency: 'INR', amount_deducted: 0, reason_code: 'chargeback',
    respond_by: at + 7 * 86_400, status, phase: 'chargeback', created_at: at,
  });
  const settlement = { id: `setl_${randomBase62(14)}`, entity: 'settlement', amount: 4882, status: 'processed', fees: 118, tax: 18, utr: '123456789012', created_at: at };
  const payloads: Record<OwnEvent, Entities> = {
    'payment_link.paid': { payment_link: link('paid'), order, payment },
    'payment_link.partially_paid': { payment_link: link('partially_paid'), order, payment },
    'payment_link.expired': { payment_link: link('expired') },
    'payment_link.cancelled': { payment_link: link('cancelled') },
    'invoice.paid': { payment, order, invoice: invoice('paid') },
    'invoice.partially_paid': { payment, order, invoice: invoice('partially_paid') },
    'invoice.expired': { invoice: invoice('expired') },
    'qr_code.created': { qr_code: qr('active') },
    'qr_code.credited': { payment, qr_code: qr('active') },
    'qr_code.closed': { qr_code: qr('closed') },
    'virtual_account.created': { virtual_account: va('active') },
    'virtual_account.credited': { payment, virtual_account: va('active') },
    'virtual_account.closed': { virtual_account: va('closed') },
    'payment.dispute.created': { payment, dispute: dispute('open') },
    'payment.dispute.under_review': { payment, dispute: dispute('under_review') },
    'payment.dispute.won': { payment, dispute: dispute('won') },
    'payment.dispute.lost': { payment, dispute: dispute('lost') },
    'payment.dispute.closed': { payment, dispute: dispute('closed') },
    'settlement.processed': { settlement },
  };
  return OWN_EVENTS.map((type) => {
    const entities = payloads[type];
    const main = Object.values(entities).at(-1)!;
    const object: OwnEventObject = { object: 'razorpay.payload', id: String(main.id), entities };
    return { type, object };
  });
}

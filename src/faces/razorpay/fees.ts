import { createHash } from 'node:crypto';
import type { PaymentObject } from '../../payments/schemas.ts';

/**
 * What Razorpay charges on a captured payment, at its standard plan's published rates: 2% of the
 * amount for Indian cards, UPI, netbanking and wallets, 3% for American Express (and cards issued
 * abroad), plus 18% GST on that fee. Razorpay's `fee` includes the GST and `tax` is the GST alone:
 * ₹500.00 by card is fee 1180 (1000 + 180), tax 180, in paise. Rounded to the paisa.
 */
export const FEE_RATE = { standard: 0.02, amexOrInternational: 0.03 } as const;
export const GST_RATE = 0.18;

export function feeOf(p: Pick<PaymentObject, 'amount' | 'card' | 'billing'>): { fee: number; tax: number } {
  const international = p.billing.country !== null && p.billing.country !== 'IN';
  const rate = p.card?.brand === 'amex' || international ? FEE_RATE.amexOrInternational : FEE_RATE.standard;
  const base = Math.round(p.amount * rate);
  const tax = Math.round(base * GST_RATE);
  return { fee: base + tax, tax };
}

/** `digits` decimal digits that are the same on every view of the payment (its id's hash), for a bank's reference numbers. */
function digitsOf(paymentId: string, salt: string, digits: number): string {
  const hash = createHash('sha256').update(`${salt}:${paymentId}`).digest();
  let out = '';
  for (const byte of hash) {
    out += String(byte % 10);
    if (out.length === digits) break;
  }
  return out;
}

/**
 * What the acquirer reports for an authorized payment, by method, as Razorpay's payment entity
 * shows it: a card's auth_code, a UPI payment's rrn and upi_transaction_id, a netbanking payment's
 * bank_transaction_id, a wallet's transaction_id (null in Razorpay's test mode too).
 */
export function acquirerDataOf(p: Pick<PaymentObject, 'id' | 'method'>): Record<string, string | null> {
  switch (p.method) {
    case 'card':
      return { auth_code: digitsOf(p.id, 'auth_code', 6) };
    case 'upi':
      return { rrn: digitsOf(p.id, 'rrn', 12), upi_transaction_id: digitsOf(p.id, 'upi', 12) };
    case 'netbanking':
      return { bank_transaction_id: digitsOf(p.id, 'bank', 10) };
    case 'wallet':
      return { transaction_id: null };
  }
}

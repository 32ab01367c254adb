/**
 * Razorpay's ids: a prefix and 14 base62 characters (`pay_L0nSsccovt6zyp`, `cust_…`, `plink_…`),
 * the pattern integrations validate them with. newId (src/ids.ts) makes the ledger's orders,
 * payments and refunds, and every object only this face has, this long.
 */

/** A payment's card entity id (`card_…`), the same on every view of the payment: its id's characters under card_. */
export const cardIdOf = (paymentId: string): string => `card_${paymentId.slice(paymentId.indexOf('_') + 1)}`;

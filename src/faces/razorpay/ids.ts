/**
 * Razorpay's ids: a prefix and 14 base62 characters (`pay_L0nSsccovt6zyp`, `cust_…`, `plink_…`),
 * the pattern integrations validate them with. newId (src/ids.ts) makes the ledger's orders,
 * payments and refunds, and every object only this face has, this long.
 */

/** A payment's card entity id (`card_…`), the same on every view of the payment: its id's characters under card_. */
export const cardIdOf = (paymentId: string): string => `card_${paymentId.slice(paymentId.indexOf('_') + 1)}`;

/**
 * The refund Razorpay makes of an authorization left uncaptured past its window (`rfnd_…`): the
 * ledger keeps no refund for it (the payment is `expired` there), so its id is the payment's
 * characters under rfnd_, the same in every webhook that tells of it.
 */
export const autoRefundIdOf = (paymentId: string): string => `rfnd_${paymentId.slice(paymentId.indexOf('_') + 1)}`;

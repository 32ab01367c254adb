import { RAZORPAY_ID_LENGTH, randomBase62 } from '../../ids.ts';

/**
 * Razorpay's ids: a prefix and 14 base62 characters (`pay_L0nSsccovt6zyp`, `cust_…`, `plink_…`),
 * the pattern integrations validate them with. The ledger's orders, payments and refunds are made
 * this long by newId (src/ids.ts), as the face shows them as they are; every object only this face
 * has (customers, tokens, payment links…) takes its id from newRazorpayId.
 */
export const newRazorpayId = (prefix: string): string => `${prefix}_${randomBase62(RAZORPAY_ID_LENGTH)}`;

/** Whether `id` is `prefix_` and 14 base62 characters, as newRazorpayId makes them. */
export const isRazorpayId = (prefix: string, id: string): boolean =>
  id.startsWith(`${prefix}_`) && new RegExp(`^[0-9A-Za-z]{${RAZORPAY_ID_LENGTH}}$`).test(id.slice(prefix.length + 1));

/** A payment's card entity id (`card_…`), the same on every view of the payment: its id's characters under card_. */
export const cardIdOf = (paymentId: string): string => `card_${paymentId.slice(paymentId.indexOf('_') + 1)}`;

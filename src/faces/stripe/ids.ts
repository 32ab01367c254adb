import { isId, randomBase62, type IdKind } from '../../ids.ts';

/**
 * Stripe's ids for the ledger's objects are the same ids under Stripe's prefixes: a PaymentIntent
 * is an order (`order_X` ↔ `pi_X`), a Charge a payment (`pay_X` ↔ `ch_X`), a Refund a refund
 * (`rfnd_X` ↔ `re_X`); events and webhook endpoints already share Stripe's (`evt_`, `we_`). So
 * no table maps one to the other, and an id of the wrong shape is "no such object" without a query.
 */
const LEDGER = { pi: 'order', ch: 'pay', re: 'rfnd' } as const;
export type LedgerPrefix = keyof typeof LEDGER;

const BODY = /^[0-9A-Za-z]{20}$/;

/** The ledger id behind a Stripe id (`pi_X` → `order_X`); null when it is not one. */
export function ledgerId(prefix: LedgerPrefix, stripeId: string): string | null {
  const body = stripeId.startsWith(`${prefix}_`) ? stripeId.slice(prefix.length + 1) : '';
  const ledger = `${LEDGER[prefix]}_${body}`;
  return isId(KIND[prefix], ledger) ? ledger : null;
}

const KIND = { pi: 'order', ch: 'payment', re: 'refund' } as const satisfies Record<LedgerPrefix, IdKind>;

/** The Stripe id of a ledger id (`order_X` → `pi_X`). */
export function stripeId(prefix: LedgerPrefix, ledger: string): string {
  return `${prefix}_${ledger.slice(ledger.indexOf('_') + 1)}`;
}

/** Objects only Stripe's API has: customers, payment methods, products, prices. */
export type OwnPrefix = 'cus' | 'pm' | 'prod' | 'price' | 'li';

export const newStripeId = (prefix: OwnPrefix) => `${prefix}_${randomBase62(20)}`;

/** Whether a string has the shape of one of this face's own ids (a product's may be chosen by the caller). */
export const isStripeId = (prefix: OwnPrefix, id: string) => id.startsWith(`${prefix}_`) && BODY.test(id.slice(prefix.length + 1));

/**
 * A Checkout Session is a hosted checkout session under Stripe's test-mode prefix: `cs_X` ↔
 * `cs_test_X` (no table maps them either).
 */
export const stripeSessionId = (nativeId: string) => `cs_test_${nativeId.slice(nativeId.indexOf('_') + 1)}`;

/** The hosted checkout session behind `cs_test_X`; null when the id has not that shape. */
export function nativeSessionId(id: string): string | null {
  const body = id.startsWith('cs_test_') ? id.slice('cs_test_'.length) : '';
  return BODY.test(body) ? `cs_${body}` : null;
}

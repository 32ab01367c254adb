import type { Queryable } from '../../db/pool.ts';
import { DomainError } from '../../core/errors.ts';
import type { DbPayment } from '../../payments/payments.ts';
import { getOrder, type DbOrder } from '../../orders/store.ts';
import { getPayment } from '../../payments/store.ts';
import { getRefund } from '../../refunds/store.ts';
import type { DbRefund } from '../../refunds/refunds.ts';
import { noSuch } from './errors.ts';
import { ledgerId, type LedgerPrefix } from './ids.ts';

/**
 * The ledger's rows behind Stripe's ids: a wrong shape, a missing row and another tenant's row
 * are all Stripe's "No such …" (404) with the parameter that named it.
 */
async function behind<R>(prefix: LedgerPrefix, what: string, id: string, param: string, read: (ledger: string) => Promise<R>): Promise<R> {
  const ledger = ledgerId(prefix, id);
  if (!ledger) throw noSuch(what, id, param);
  try {
    return await read(ledger);
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'not_found') throw noSuch(what, id, param);
    throw err;
  }
}

/** The order behind `pi_…`: any order of the tenant, whichever face or page made it. */
export const orderRow = (db: Queryable, tenantId: string, id: string, param = 'id'): Promise<DbOrder> =>
  behind('pi', 'payment_intent', id, param, (ledger) => getOrder(db, tenantId, ledger));

export const chargeRow = (db: Queryable, tenantId: string, id: string, param = 'id'): Promise<DbPayment> =>
  behind('ch', 'charge', id, param, (ledger) => getPayment(db, tenantId, ledger));

export const refundRow = (db: Queryable, tenantId: string, id: string, param = 'id'): Promise<DbRefund> =>
  behind('re', 'refund', id, param, (ledger) => getRefund(db, tenantId, ledger));

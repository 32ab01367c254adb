import { getPayment } from '../../payments/store.ts';
import { chargeObjects } from './charges.ts';
import { priceObject, productObject } from './catalog.ts';
import { customerObject, customerRow } from './customers.ts';
import { paymentIntentObject, paymentMethodObject, refundObject } from './entities.ts';
import type { Expander } from './expand.ts';
import { loadIntent } from './intents.ts';
import { chargeRow, refundRow } from './ledger.ts';
import { findPaymentMethod, findPrice, findProduct } from './store.ts';

/** What `expand[]` can turn from an id into its object, by the id's prefix. */
export const EXPANDERS: ReadonlyMap<string, Expander> = new Map(Object.entries({
  ch: async (db, tenantId, id) => (await chargeObjects(db, tenantId, [await chargeRow(db, tenantId, id)]))[0],
  cus: async (db, tenantId, id) => customerObject(await customerRow(db, tenantId, id)),
  pi: async (db, tenantId, id, baseUrl) => paymentIntentObject(await loadIntent(db, tenantId, id, baseUrl)),
  price: async (db, tenantId, id) => {
    const p = await findPrice(db, tenantId, id);
    return p && priceObject(p);
  },
  prod: async (db, tenantId, id) => {
    const p = await findProduct(db, tenantId, id);
    return p && productObject(p);
  },
  pm: async (db, tenantId, id) => {
    const pm = await findPaymentMethod(db, tenantId, id);
    return pm && paymentMethodObject(pm);
  },
  re: async (db, tenantId, id) => {
    const r = await refundRow(db, tenantId, id);
    return refundObject(r, await getPayment(db, tenantId, r.payment_id));
  },
}));

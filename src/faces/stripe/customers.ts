import { DomainError, badRequest } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import type { CustomerCreate, CustomerUpdate } from './customer-schemas.ts';
import { parseCustomerSearch } from './customer-search.ts';
import { paymentMethodObject, stringMap } from './entities.ts';
import { noSuch, unexpectedState } from './errors.ts';
import { isStripeId, newStripeId } from './ids.ts';
import type { Raise } from './object-events.ts';
import { paymentMethodFor } from './payment-methods.ts';
import { mergeMetadata, unix } from './schemas.ts';
import {
  deleteCustomerRow, findCustomer, findPaymentMethod, insertCustomer, pageCustomers, searchCustomerRows, setPaymentMethodCustomer, updateCustomerRow,
  type CustomerFields, type DbCustomer, type DbPaymentMethod,
} from './store.ts';
import { ownId, withCursors } from './cursors.ts';

/**
 * Customers: Stripe's own objects (no ledger twin), kept in stripe_customers. A deleted customer
 * keeps its row and answers as Stripe's stub `{id, object, deleted: true}`; everything else
 * treats it as missing.
 */

type Json = Record<string, unknown>;

export function customerObject(c: DbCustomer): Json {
  if (c.deleted) return { id: c.id, object: 'customer', deleted: true };
  return {
    id: c.id,
    object: 'customer',
    address: c.address,
    balance: 0,
    created: unix(c.created_at),
    currency: null,
    default_source: null,
    delinquent: false,
    description: c.description,
    discount: null,
    email: c.email,
    // Stripe gives each customer a fixed prefix for its invoice numbers; the id's first letters serve.
    invoice_prefix: c.id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: c.default_payment_method, footer: null, rendering_options: null },
    livemode: false,
    metadata: stringMap(c.metadata),
    name: c.name,
    next_invoice_sequence: 1,
    phone: c.phone,
    preferred_locales: [],
    shipping: c.shipping,
    tax_exempt: 'none',
    test_clock: null,
  };
}

/** The tenant's customer, live or deleted; Stripe's 404 when it has none by that id. */
export async function customerRow(db: Queryable, tenantId: string, id: string, param = 'id', lock = false): Promise<DbCustomer> {
  const c = isStripeId('cus', id) ? await findCustomer(db, tenantId, id, lock) : undefined;
  if (!c) throw noSuch('customer', id, param);
  return c;
}

/** A `customer` parameter (a PaymentIntent's, an attach's): a live customer of this tenant, else Stripe's 404. */
export async function requireCustomer(db: Queryable, tenantId: string, id: string, param = 'customer', lock = false): Promise<DbCustomer> {
  const c = await customerRow(db, tenantId, id, param, lock);
  if (c.deleted) throw noSuch('customer', id, param);
  return c;
}

/**
 * Attaches a payment method to a customer (payment_method.attached); one attached to another
 * customer must be detached first, one attached to this one already stays as it is.
 */
export async function attachMethod(t: Tx, raise: Raise, pm: DbPaymentMethod, customer: DbCustomer, param?: string): Promise<DbPaymentMethod> {
  if (pm.customer_id === customer.id) return pm;
  if (pm.customer_id !== null) {
    throw unexpectedState('payment_method_unexpected_state', `The PaymentMethod ${pm.id} is already attached to another customer; detach it first.`, param);
  }
  const attached = await setPaymentMethodCustomer(t, pm.id, customer.id);
  raise('payment_method.attached', paymentMethodObject(attached));
  return attached;
}

/** `invoice_settings[default_payment_method]`: one of the customer's own payment methods. */
async function defaultMethod(db: Queryable, tenantId: string, customerId: string, ref: string | null): Promise<string | null> {
  if (ref === null) return null;
  const param = 'invoice_settings.default_payment_method';
  const pm = isStripeId('pm', ref) ? await findPaymentMethod(db, tenantId, ref) : undefined;
  if (!pm) throw noSuch('PaymentMethod', ref, param);
  if (pm.customer_id !== customerId) {
    throw badRequest('resource_missing', `The customer has no PaymentMethod ${ref}: attach it to the customer before making it the default.`, param);
  }
  return pm.id;
}

/** customer.created, then payment_method.attached for a `payment_method` given, as Stripe orders them. */
export async function createCustomer(t: Tx, raise: Raise, tenantId: string, input: CustomerCreate): Promise<DbCustomer> {
  const { email = null, name = null, phone = null, description = null, address = null, shipping = null } = input;
  let c = await insertCustomer(t, {
    id: newStripeId('cus'), tenant_id: tenantId, email, name, phone, description, address, shipping, default_payment_method: null, metadata: mergeMetadata({}, input.metadata),
  });
  // Stripe attaches `payment_method` to the new customer (a test reference becomes a new pm_ first);
  // its event waits for the customer's.
  const attached: Array<Record<string, unknown>> = [];
  const collect: Raise = (_type, object) => attached.push(object);
  if (input.payment_method !== undefined) await attachMethod(t, collect, await paymentMethodFor(t, tenantId, input.payment_method), c, 'payment_method');
  const wanted = input.invoice_settings?.default_payment_method;
  if (wanted) c = await updateCustomerRow(t, c.id, { default_payment_method: await defaultMethod(t, tenantId, c.id, wanted) });
  raise('customer.created', customerObject(c));
  for (const pm of attached) raise('payment_method.attached', pm);
  return c;
}

export async function updateCustomer(t: Tx, raise: Raise, tenantId: string, id: string, input: CustomerUpdate): Promise<DbCustomer> {
  const c = await requireCustomer(t, tenantId, id, 'id', true);
  const { email, name, phone, description, address, shipping } = input;
  const wanted = input.invoice_settings?.default_payment_method;
  const patch: Partial<CustomerFields> = {
    email, name, phone, description, address, shipping,
    ...(input.metadata !== undefined ? { metadata: mergeMetadata(c.metadata, input.metadata) } : {}),
    ...(wanted !== undefined ? { default_payment_method: await defaultMethod(t, tenantId, c.id, wanted) } : {}),
  };
  const updated = await updateCustomerRow(t, c.id, patch);
  raise('customer.updated', customerObject(updated), customerObject(c));
  return updated;
}

/** customer.deleted carries the customer as it was (Stripe's does), not the stub the call answers. */
export async function deleteCustomer(t: Tx, raise: Raise, tenantId: string, id: string): Promise<DbCustomer> {
  const c = await requireCustomer(t, tenantId, id, 'id', true);
  await deleteCustomerRow(t, tenantId, c.id);
  raise('customer.deleted', customerObject(c));
  return { ...c, deleted: true };
}

export interface ListQuery {
  limit: number;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
}


export function listCustomers(db: Queryable, tenantId: string, q: ListQuery & { email?: string | undefined; createdFrom?: Date | undefined; createdTo?: Date | undefined }) {
  return withCursors('customer', q, ownId('cus'), () => pageCustomers(db, tenantId, q, q));
}

/** A page of a search: `page` is the previous page's `next_page` (its last customer's id). */
export async function searchCustomers(db: Queryable, tenantId: string, q: { query: string; limit: number; page?: string | undefined }) {
  const search = parseCustomerSearch(q.query);
  const badPage = () => badRequest('parameter_invalid', 'Invalid page: use the next_page of the previous search result', 'page');
  if (q.page !== undefined && !isStripeId('cus', q.page)) throw badPage();
  try {
    return await searchCustomerRows(db, tenantId, search, { limit: q.limit, after: q.page });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'invalid_cursor') throw badPage();
    throw err;
  }
}

import type { Queryable, Tx } from '../../db/pool.ts';
import { paginate, type Page } from '../../db/paginate.ts';
import type { StoredCard } from '../../payments/create.ts';
import type { CustomerSearch, SearchClause } from './customer-search.ts';

/** The SQL of the Stripe face's own tables (migration 0022): what Stripe adds to the ledger's orders, and its customers, payment methods, products and prices. */

export interface DbIntent {
  /** The order's id. */
  id: string;
  tenant_id: string;
  client_secret: string;
  payment_method: string | null;
  payment_method_set_at: Date | null;
  customer: string | null;
  description: string | null;
  receipt_email: string | null;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  confirmation_method: 'automatic' | 'manual';
  setup_future_usage: string | null;
  statement_descriptor: string | null;
  return_url: string | null;
  payment_method_types: string[];
  canceled_at: Date | null;
  cancellation_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export type IntentFields = Pick<DbIntent, 'payment_method' | 'customer' | 'description' | 'receipt_email' | 'setup_future_usage' | 'statement_descriptor' | 'return_url'>;

export function insertIntent(t: Tx, row: Pick<DbIntent, 'id' | 'tenant_id' | 'client_secret' | 'capture_method' | 'confirmation_method' | 'payment_method_types'> & IntentFields): Promise<DbIntent> {
  return t.one<DbIntent>(
    `INSERT INTO stripe_intents (id, tenant_id, client_secret, capture_method, confirmation_method, payment_method_types, payment_method, payment_method_set_at,
                                 customer, description, receipt_email, setup_future_usage, statement_descriptor, return_url)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text[], $7::text, CASE WHEN $7::text IS NULL THEN NULL ELSE sandpay_now() END,
             $8::text, $9::text, $10::text, $11::text, $12::text, $13::text)
     RETURNING *`,
    [row.id, row.tenant_id, row.client_secret, row.capture_method, row.confirmation_method, row.payment_method_types, row.payment_method,
      row.customer, row.description, row.receipt_email, row.setup_future_usage, row.statement_descriptor, row.return_url],
  );
}

/** The tenant's intent on this order (locked when `lock`); undefined when the order was not made through Stripe's API. */
export function findIntent(db: Queryable, tenantId: string, id: string, lock = false): Promise<DbIntent | undefined> {
  return db.maybeOne<DbIntent>(`SELECT * FROM stripe_intents WHERE id = $1::text AND tenant_id = $2::text${lock ? ' FOR UPDATE' : ''}`, [id, tenantId]);
}

export function intentsByIds(db: Queryable, tenantId: string, ids: readonly string[]): Promise<DbIntent[]> {
  return db.rows<DbIntent>('SELECT * FROM stripe_intents WHERE tenant_id = $1::text AND id = ANY($2::text[])', [tenantId, ids]);
}

/** Sets the given fields (undefined ones are left); setting payment_method stamps when. */
export function updateIntent(t: Tx, id: string, fields: Partial<IntentFields>): Promise<DbIntent> {
  const set = (k: keyof IntentFields) => (k in fields && fields[k] !== undefined ? [true, fields[k]] : [false, null]);
  const cols: Array<keyof IntentFields> = ['payment_method', 'customer', 'description', 'receipt_email', 'setup_future_usage', 'statement_descriptor', 'return_url'];
  const values = cols.flatMap(set);
  return t.one<DbIntent>(
    `UPDATE stripe_intents SET
       payment_method = CASE WHEN $2::boolean THEN $3::text ELSE payment_method END,
       payment_method_set_at = CASE WHEN $2::boolean THEN sandpay_now() ELSE payment_method_set_at END,
       customer = CASE WHEN $4::boolean THEN $5::text ELSE customer END,
       description = CASE WHEN $6::boolean THEN $7::text ELSE description END,
       receipt_email = CASE WHEN $8::boolean THEN $9::text ELSE receipt_email END,
       setup_future_usage = CASE WHEN $10::boolean THEN $11::text ELSE setup_future_usage END,
       statement_descriptor = CASE WHEN $12::boolean THEN $13::text ELSE statement_descriptor END,
       return_url = CASE WHEN $14::boolean THEN $15::text ELSE return_url END,
       updated_at = sandpay_now()
     WHERE id = $1::text RETURNING *`,
    [id, ...values],
  );
}

export function cancelIntentRow(t: Tx, id: string, reason: string | null): Promise<DbIntent> {
  return t.one<DbIntent>(
    'UPDATE stripe_intents SET canceled_at = sandpay_now(), cancellation_reason = $2::text, updated_at = sandpay_now() WHERE id = $1::text RETURNING *',
    [id, reason],
  );
}

/** A page of the tenant's intents, newest first (Stripe's cursors are the intents' own ids). */
export function pageIntents(
  db: Queryable, tenantId: string, filters: { customer?: string | undefined; createdFrom?: Date | undefined; createdTo?: Date | undefined },
  page: { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined },
): Promise<Page<DbIntent>> {
  const where = ['tenant_id = $1::text'];
  const params: unknown[] = [tenantId];
  if (filters.customer !== undefined) where.push(`customer = $${params.push(filters.customer)}::text`);
  if (filters.createdFrom !== undefined) where.push(`created_at >= $${params.push(filters.createdFrom)}::timestamptz`);
  if (filters.createdTo !== undefined) where.push(`created_at <= $${params.push(filters.createdTo)}::timestamptz`);
  return paginate<DbIntent, DbIntent>(db, { table: 'stripe_intents', where, params, ...page }, (r) => r);
}

// ----- payment methods -----

export interface DbPaymentMethod extends Omit<StoredCard, 'behaviour'> {
  id: string;
  tenant_id: string;
  customer_id: string | null;
  behaviour: StoredCard['behaviour'];
  funding: string;
  billing_details: Record<string, unknown>;
  metadata: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

export function insertPaymentMethod(
  t: Queryable, row: Pick<DbPaymentMethod, 'id' | 'tenant_id' | 'customer_id' | 'funding' | 'billing_details' | 'metadata'> & StoredCard,
): Promise<DbPaymentMethod> {
  return t.one<DbPaymentMethod>(
    `INSERT INTO stripe_payment_methods (id, tenant_id, customer_id, behaviour, brand, last4, bin, exp_month, exp_year, funding, fingerprint, billing_details, metadata)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::int, $9::int, $10::text, $11::text, $12::jsonb, $13::jsonb)
     RETURNING *`,
    [row.id, row.tenant_id, row.customer_id, row.behaviour, row.brand, row.last4, row.bin, row.exp_month, row.exp_year, row.funding, row.fingerprint,
      JSON.stringify(row.billing_details), JSON.stringify(row.metadata)],
  );
}

export function findPaymentMethod(db: Queryable, tenantId: string, id: string, lock = false): Promise<DbPaymentMethod | undefined> {
  return db.maybeOne<DbPaymentMethod>(`SELECT * FROM stripe_payment_methods WHERE id = $1::text AND tenant_id = $2::text${lock ? ' FOR UPDATE' : ''}`, [id, tenantId]);
}

export function paymentMethodsByIds(db: Queryable, tenantId: string, ids: readonly string[]): Promise<DbPaymentMethod[]> {
  return db.rows<DbPaymentMethod>('SELECT * FROM stripe_payment_methods WHERE tenant_id = $1::text AND id = ANY($2::text[])', [tenantId, ids]);
}

// ----- customers (and payment methods' customer, update, list) -----

export interface DbCustomer {
  id: string;
  tenant_id: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  description: string | null;
  address: Record<string, string | null> | null;
  shipping: Record<string, unknown> | null;
  default_payment_method: string | null;
  metadata: Record<string, string>;
  deleted: boolean;
  created_at: Date;
  updated_at: Date;
}

/** The columns a customer's create and update set, with their casts; names here are the only ones written into SQL. */
const CUSTOMER_COLUMNS = {
  email: 'text', name: 'text', phone: 'text', description: 'text', address: 'jsonb', shipping: 'jsonb', default_payment_method: 'text', metadata: 'jsonb',
} as const;
export type CustomerFields = Pick<DbCustomer, keyof typeof CUSTOMER_COLUMNS>;

/** A json column's value: SQL NULL for null (never JSON's null). */
const jsonOrNull = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

export function insertCustomer(t: Tx, row: Pick<DbCustomer, 'id' | 'tenant_id'> & CustomerFields): Promise<DbCustomer> {
  return t.one<DbCustomer>(
    `INSERT INTO stripe_customers (id, tenant_id, email, name, phone, description, address, shipping, default_payment_method, metadata)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::jsonb, $8::jsonb, $9::text, $10::jsonb)
     RETURNING *`,
    [row.id, row.tenant_id, row.email, row.name, row.phone, row.description, jsonOrNull(row.address), jsonOrNull(row.shipping), row.default_payment_method,
      JSON.stringify(row.metadata)],
  );
}

/** The tenant's customer, deleted ones included (they answer as Stripe's deleted stub). */
export function findCustomer(db: Queryable, tenantId: string, id: string, lock = false): Promise<DbCustomer | undefined> {
  return db.maybeOne<DbCustomer>(`SELECT * FROM stripe_customers WHERE id = $1::text AND tenant_id = $2::text${lock ? ' FOR UPDATE' : ''}`, [id, tenantId]);
}

/** Sets the given fields (undefined ones are left; null clears). */
export function updateCustomerRow(t: Tx, id: string, fields: Partial<CustomerFields>): Promise<DbCustomer> {
  const params: unknown[] = [id];
  const sets = (Object.keys(CUSTOMER_COLUMNS) as Array<keyof CustomerFields>)
    .filter((k) => fields[k] !== undefined)
    .map((k) => `${k} = $${params.push(CUSTOMER_COLUMNS[k] === 'jsonb' ? jsonOrNull(fields[k]) : fields[k])}::${CUSTOMER_COLUMNS[k]}`);
  return t.one<DbCustomer>(`UPDATE stripe_customers SET ${[...sets, 'updated_at = sandpay_now()'].join(', ')} WHERE id = $1::text RETURNING *`, params);
}

/** Deletes as Stripe does: the row stays (a retrieve answers the deleted stub), its payment methods are detached. */
export async function deleteCustomerRow(t: Tx, tenantId: string, id: string): Promise<void> {
  await t.rows('UPDATE stripe_payment_methods SET customer_id = NULL, updated_at = sandpay_now() WHERE tenant_id = $1::text AND customer_id = $2::text', [tenantId, id]);
  await t.rows('UPDATE stripe_customers SET deleted = true, default_payment_method = NULL, updated_at = sandpay_now() WHERE id = $1::text', [id]);
}

/** A page of the tenant's live customers, newest first. */
export function pageCustomers(
  db: Queryable, tenantId: string, filters: { email?: string | undefined; createdFrom?: Date | undefined; createdTo?: Date | undefined },
  page: { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined },
): Promise<Page<DbCustomer>> {
  const where = ['tenant_id = $1::text', 'NOT deleted'];
  const params: unknown[] = [tenantId];
  if (filters.email !== undefined) where.push(`email = $${params.push(filters.email)}::text`);
  if (filters.createdFrom !== undefined) where.push(`created_at >= $${params.push(filters.createdFrom)}::timestamptz`);
  if (filters.createdTo !== undefined) where.push(`created_at <= $${params.push(filters.createdTo)}::timestamptz`);
  return paginate<DbCustomer, DbCustomer>(db, { table: 'stripe_customers', where, params, ...page }, (r) => r);
}

/**
 * One clause of a customer search as SQL. Field names and operators come from the parser's
 * closed sets; values are parameters. A clause on a missing value is false (so `-email:'x'`
 * finds customers with no email too).
 */
function searchCondition(c: SearchClause, params: unknown[]): string {
  const p = (v: unknown, cast: string) => `$${params.push(v)}::${cast}`;
  const op = c.op === ':' ? '=' : c.op;
  let sql: string;
  if (c.field === 'created') sql = `floor(extract(epoch FROM created_at))::bigint ${op} ${p(c.value, 'bigint')}`;
  else {
    const col = c.field === 'metadata' ? `(metadata ->> ${p(c.key, 'text')})` : c.field;
    if (c.value === null) sql = `${col} IS NULL`;
    else if (c.op === '~') sql = `strpos(lower(${col}), lower(${p(c.value, 'text')})) > 0`;
    else sql = c.field === 'metadata' || c.field === 'phone' ? `${col} = ${p(c.value, 'text')}` : `lower(${col}) = lower(${p(c.value, 'text')})`;
  }
  return c.negate ? `NOT coalesce(${sql}, false)` : `coalesce(${sql}, false)`;
}

/** A page of the tenant's live customers matching a search, newest first; `after` is the previous page's last id. */
export function searchCustomerRows(db: Queryable, tenantId: string, search: CustomerSearch, page: { limit: number; after?: string | undefined }): Promise<Page<DbCustomer>> {
  const params: unknown[] = [tenantId];
  const match = search.clauses.map((c) => searchCondition(c, params)).join(` ${search.join} `);
  return paginate<DbCustomer, DbCustomer>(db, { table: 'stripe_customers', where: ['tenant_id = $1::text', 'NOT deleted', `(${match})`], params, limit: page.limit, startingAfter: page.after }, (r) => r);
}

/** Attaches a payment method to a customer, or detaches it (null). */
export function setPaymentMethodCustomer(t: Tx, id: string, customerId: string | null): Promise<DbPaymentMethod> {
  return t.one<DbPaymentMethod>('UPDATE stripe_payment_methods SET customer_id = $2::text, updated_at = sandpay_now() WHERE id = $1::text RETURNING *', [id, customerId]);
}

export type PaymentMethodFields = Pick<DbPaymentMethod, 'billing_details' | 'metadata' | 'exp_month' | 'exp_year'>;

export function updatePaymentMethodRow(t: Tx, id: string, fields: PaymentMethodFields): Promise<DbPaymentMethod> {
  return t.one<DbPaymentMethod>(
    `UPDATE stripe_payment_methods SET billing_details = $2::jsonb, metadata = $3::jsonb, exp_month = $4::int, exp_year = $5::int, updated_at = sandpay_now()
     WHERE id = $1::text RETURNING *`,
    [id, JSON.stringify(fields.billing_details), JSON.stringify(fields.metadata), fields.exp_month, fields.exp_year],
  );
}

/** A page of one customer's payment methods, newest first. */
export function pagePaymentMethods(db: Queryable, tenantId: string, customerId: string, page: { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined }): Promise<Page<DbPaymentMethod>> {
  return paginate<DbPaymentMethod, DbPaymentMethod>(
    db, { table: 'stripe_payment_methods', where: ['tenant_id = $1::text', 'customer_id = $2::text'], params: [tenantId, customerId], ...page }, (r) => r,
  );
}

// ----- products and prices (migrations 0022, 0024) -----

export interface DbProduct {
  id: string;
  tenant_id: string;
  name: string;
  active: boolean;
  description: string | null;
  images: string[];
  default_price: string | null;
  url: string | null;
  metadata: Record<string, string>;
  type: 'good' | 'service';
  shippable: boolean | null;
  statement_descriptor: string | null;
  unit_label: string | null;
  tax_code: string | null;
  marketing_features: Array<{ name: string }>;
  package_dimensions: Record<string, number> | null;
  created_at: Date;
  updated_at: Date;
}

/** The columns a product's create and update set, with their casts; names here are the only ones written into SQL. */
const PRODUCT_COLUMNS = {
  name: 'text', active: 'boolean', description: 'text', images: 'jsonb', default_price: 'text', url: 'text', metadata: 'jsonb', type: 'text',
  shippable: 'boolean', statement_descriptor: 'text', unit_label: 'text', tax_code: 'text', marketing_features: 'jsonb', package_dimensions: 'jsonb',
} as const;
export type ProductFields = Pick<DbProduct, keyof typeof PRODUCT_COLUMNS>;

const PRICE_COLUMNS = { active: 'boolean', lookup_key: 'text', nickname: 'text', metadata: 'jsonb', tax_behavior: 'text' } as const;

/** A json column's value: SQL NULL for null (never JSON's null). */
const catalogJson = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/** `col = $n::cast` for each given field (undefined ones are left; null clears). */
function setList<F extends Record<string, unknown>>(columns: Readonly<Record<string, string>>, fields: F, params: unknown[]): string[] {
  return Object.keys(columns)
    .filter((k) => fields[k] !== undefined)
    .map((k) => `${k} = $${params.push(columns[k] === 'jsonb' ? catalogJson(fields[k]) : fields[k])}::${columns[k]}`);
}

/** Inserts a product; undefined when the tenant already has one with this id (a caller-chosen id may clash). */
export function insertProduct(t: Tx, row: Pick<DbProduct, 'id' | 'tenant_id'> & ProductFields): Promise<DbProduct | undefined> {
  const cols = ['id', 'tenant_id', ...Object.keys(PRODUCT_COLUMNS)];
  const params: unknown[] = [row.id, row.tenant_id];
  for (const [k, cast] of Object.entries(PRODUCT_COLUMNS)) params.push(cast === 'jsonb' ? catalogJson(row[k as keyof ProductFields]) : row[k as keyof ProductFields]);
  const casts = ['text', 'text', ...Object.values(PRODUCT_COLUMNS)];
  return t.maybeOne<DbProduct>(
    `INSERT INTO stripe_products (${cols.join(', ')}) VALUES (${casts.map((c, i) => `$${i + 1}::${c}`).join(', ')})
     ON CONFLICT (tenant_id, id) DO NOTHING RETURNING *`,
    params,
  );
}

export function findProduct(db: Queryable, tenantId: string, id: string, lock = false): Promise<DbProduct | undefined> {
  return db.maybeOne<DbProduct>(`SELECT * FROM stripe_products WHERE tenant_id = $1::text AND id = $2::text${lock ? ' FOR UPDATE' : ''}`, [tenantId, id]);
}

export function productsByIds(db: Queryable, tenantId: string, ids: readonly string[]): Promise<DbProduct[]> {
  return db.rows<DbProduct>('SELECT * FROM stripe_products WHERE tenant_id = $1::text AND id = ANY($2::text[])', [tenantId, ids]);
}

export function updateProductRow(t: Tx, tenantId: string, id: string, fields: Partial<ProductFields>): Promise<DbProduct> {
  const params: unknown[] = [tenantId, id];
  const sets = setList(PRODUCT_COLUMNS, fields, params);
  return t.one<DbProduct>(`UPDATE stripe_products SET ${[...sets, 'updated_at = sandpay_now()'].join(', ')} WHERE tenant_id = $1::text AND id = $2::text RETURNING *`, params);
}

/** Deletes a product without prices (the caller checked, under the product's lock; the foreign key holds it anyway). */
export async function deleteProductRow(t: Tx, tenantId: string, id: string): Promise<void> {
  await t.rows('DELETE FROM stripe_products WHERE tenant_id = $1::text AND id = $2::text', [tenantId, id]);
}

export async function productHasPrices(db: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await db.maybeOne('SELECT 1 FROM stripe_prices WHERE tenant_id = $1::text AND product = $2::text LIMIT 1', [tenantId, id])) !== undefined;
}

type CursorPage = { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined };
type Created = { createdFrom?: Date | undefined; createdTo?: Date | undefined };

function createdWhere(where: string[], params: unknown[], f: Created) {
  if (f.createdFrom !== undefined) where.push(`created_at >= $${params.push(f.createdFrom)}::timestamptz`);
  if (f.createdTo !== undefined) where.push(`created_at <= $${params.push(f.createdTo)}::timestamptz`);
}

/** A page of the tenant's products, newest first. */
export function pageProducts(
  db: Queryable, tenantId: string,
  f: Created & { active?: boolean | undefined; ids?: string[] | undefined; shippable?: boolean | undefined; url?: string | undefined; type?: string | undefined },
  page: CursorPage,
): Promise<Page<DbProduct>> {
  const where = ['tenant_id = $1::text'];
  const params: unknown[] = [tenantId];
  if (f.active !== undefined) where.push(`active = $${params.push(f.active)}::boolean`);
  if (f.ids !== undefined) where.push(`id = ANY($${params.push(f.ids)}::text[])`);
  if (f.shippable !== undefined) where.push(`shippable = $${params.push(f.shippable)}::boolean`);
  if (f.url !== undefined) where.push(`url = $${params.push(f.url)}::text`);
  if (f.type !== undefined) where.push(`type = $${params.push(f.type)}::text`);
  createdWhere(where, params, f);
  return paginate<DbProduct, DbProduct>(db, { table: 'stripe_products', where, params, ...page }, (r) => r);
}

export interface DbPrice {
  id: string;
  tenant_id: string;
  product: string;
  /** Upper-case, as the ledger writes currencies. */
  currency: string;
  /** The whole smallest units, when unit_amount_decimal is a whole number. */
  unit_amount: string | null;
  unit_amount_decimal: string;
  active: boolean;
  type: 'one_time' | 'recurring';
  recurring: { interval: string; interval_count: number; usage_type: string; trial_period_days: number | null; meter: string | null } | null;
  lookup_key: string | null;
  nickname: string | null;
  metadata: Record<string, string>;
  tax_behavior: 'inclusive' | 'exclusive' | 'unspecified';
  created_at: Date;
  updated_at: Date;
}

export type PriceFields = Pick<DbPrice, keyof typeof PRICE_COLUMNS>;

export function insertPrice(t: Tx, row: Omit<DbPrice, 'created_at' | 'updated_at'>): Promise<DbPrice> {
  return t.one<DbPrice>(
    `INSERT INTO stripe_prices (id, tenant_id, product, currency, unit_amount, unit_amount_decimal, active, type, recurring, lookup_key, nickname, metadata, tax_behavior)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::numeric, $7::boolean, $8::text, $9::jsonb, $10::text, $11::text, $12::jsonb, $13::text)
     RETURNING *`,
    [row.id, row.tenant_id, row.product, row.currency, row.unit_amount, row.unit_amount_decimal, row.active, row.type, catalogJson(row.recurring),
      row.lookup_key, row.nickname, JSON.stringify(row.metadata), row.tax_behavior],
  );
}

export function findPrice(db: Queryable, tenantId: string, id: string, lock = false): Promise<DbPrice | undefined> {
  return db.maybeOne<DbPrice>(`SELECT * FROM stripe_prices WHERE id = $1::text AND tenant_id = $2::text${lock ? ' FOR UPDATE' : ''}`, [id, tenantId]);
}

export function pricesByIds(db: Queryable, tenantId: string, ids: readonly string[]): Promise<DbPrice[]> {
  return db.rows<DbPrice>('SELECT * FROM stripe_prices WHERE tenant_id = $1::text AND id = ANY($2::text[])', [tenantId, ids]);
}

export function updatePriceRow(t: Tx, id: string, fields: Partial<PriceFields>): Promise<DbPrice> {
  const params: unknown[] = [id];
  const sets = setList(PRICE_COLUMNS, fields, params);
  return t.one<DbPrice>(`UPDATE stripe_prices SET ${[...sets, 'updated_at = sandpay_now()'].join(', ')} WHERE id = $1::text RETURNING *`, params);
}

/** The tenant's price holding this lookup key (locked), if any. */
export function priceByLookupKey(t: Tx, tenantId: string, key: string): Promise<DbPrice | undefined> {
  return t.maybeOne<DbPrice>('SELECT * FROM stripe_prices WHERE tenant_id = $1::text AND lookup_key = $2::text FOR UPDATE', [tenantId, key]);
}

/** A page of the tenant's prices, newest first. */
export function pagePrices(
  db: Queryable, tenantId: string,
  f: Created & {
    product?: string | undefined; active?: boolean | undefined; currency?: string | undefined; type?: string | undefined;
    lookupKeys?: string[] | undefined; interval?: string | undefined; usageType?: string | undefined;
  },
  page: CursorPage,
): Promise<Page<DbPrice>> {
  const where = ['tenant_id = $1::text'];
  const params: unknown[] = [tenantId];
  if (f.product !== undefined) where.push(`product = $${params.push(f.product)}::text`);
  if (f.active !== undefined) where.push(`active = $${params.push(f.active)}::boolean`);
  if (f.currency !== undefined) where.push(`currency = $${params.push(f.currency)}::text`);
  if (f.type !== undefined) where.push(`type = $${params.push(f.type)}::text`);
  if (f.lookupKeys !== undefined) where.push(`lookup_key = ANY($${params.push(f.lookupKeys)}::text[])`);
  if (f.interval !== undefined) where.push(`recurring ->> 'interval' = $${params.push(f.interval)}::text`);
  if (f.usageType !== undefined) where.push(`recurring ->> 'usage_type' = $${params.push(f.usageType)}::text`);
  createdWhere(where, params, f);
  return paginate<DbPrice, DbPrice>(db, { table: 'stripe_prices', where, params, ...page }, (r) => r);
}

// ----- webhook endpoints -----

/** The metadata of the tenant's Stripe-made webhook endpoints among `ids` (an endpoint without a row has none). */
export function webhookEndpointMetadata(db: Queryable, tenantId: string, ids: readonly string[]): Promise<Array<{ id: string; metadata: Record<string, string> }>> {
  return db.rows<{ id: string; metadata: Record<string, string> }>(
    'SELECT id, metadata FROM stripe_webhook_endpoints WHERE tenant_id = $1::text AND id = ANY($2::text[])', [tenantId, ids],
  );
}

/** Sets a webhook endpoint's metadata (the endpoint row is locked by the caller). */
export async function setWebhookEndpointMetadata(t: Tx, tenantId: string, id: string, metadata: Record<string, string>): Promise<void> {
  await t.rows(
    `INSERT INTO stripe_webhook_endpoints (id, tenant_id, metadata) VALUES ($1::text, $2::text, $3::jsonb)
     ON CONFLICT (id) DO UPDATE SET metadata = EXCLUDED.metadata`,
    [id, tenantId, JSON.stringify(metadata)],
  );
}

// ----- the 3-D Secure challenge page -----

/**
 * The intent a challenge page names, whichever tenant's: the page carries no key, its client
 * secret (checked by the caller) is the credential and says whose it is.
 */
export function intentForChallenge(db: Queryable, id: string): Promise<DbIntent | undefined> {
  return db.maybeOne<DbIntent>('SELECT * FROM stripe_intents WHERE id = $1::text', [id]);
}

// ----- checkout sessions (what Stripe adds to the hosted checkout's sessions) -----

export interface DbLineItem {
  id: string;
  description: string;
  quantity: number;
  /** Lower-case, as Stripe writes currencies. */
  currency: string;
  unit_amount: number;
  amount: number;
  /** The Price object as it was when the session was made. */
  price: Record<string, unknown>;
}

export interface DbCheckoutSession {
  /** The hosted checkout session's id (`cs_X`; Stripe's `cs_test_X`). */
  id: string;
  tenant_id: string;
  order_id: string;
  customer: string | null;
  customer_email: string | null;
  client_reference_id: string | null;
  success_url: string;
  cancel_url: string | null;
  line_items: DbLineItem[];
  /** What the session was created with and answers back as given (migration 0044). */
  options: CheckoutSessionOptions;
  created_at: Date;
}

export interface CheckoutSessionOptions {
  submit_type?: string;
  locale?: string;
  billing_address_collection?: string;
  allow_promotion_codes?: boolean;
  customer_creation?: string;
}

export function insertCheckoutSession(t: Tx, row: Omit<DbCheckoutSession, 'created_at'>): Promise<DbCheckoutSession> {
  return t.one<DbCheckoutSession>(
    `INSERT INTO stripe_checkout_sessions (id, tenant_id, order_id, customer, customer_email, client_reference_id, success_url, cancel_url, line_items, options)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::jsonb, $10::jsonb) RETURNING *`,
    [row.id, row.tenant_id, row.order_id, row.customer, row.customer_email, row.client_reference_id, row.success_url, row.cancel_url, JSON.stringify(row.line_items), JSON.stringify(row.options)],
  );
}

export function findCheckoutSession(db: Queryable, tenantId: string, id: string): Promise<DbCheckoutSession | undefined> {
  return db.maybeOne<DbCheckoutSession>('SELECT * FROM stripe_checkout_sessions WHERE id = $1::text AND tenant_id = $2::text', [id, tenantId]);
}

/** The Stripe checkout session made for this order, if one was. */
export function checkoutSessionOfOrder(db: Queryable, tenantId: string, orderId: string): Promise<DbCheckoutSession | undefined> {
  return db.maybeOne<DbCheckoutSession>('SELECT * FROM stripe_checkout_sessions WHERE order_id = $1::text AND tenant_id = $2::text', [orderId, tenantId]);
}

/** A page of the tenant's Stripe checkout sessions, newest first. */
export function pageCheckoutSessions(
  db: Queryable, tenantId: string, f: Created & { customer?: string | undefined; orderId?: string | undefined }, page: CursorPage,
): Promise<Page<DbCheckoutSession>> {
  const where = ['tenant_id = $1::text'];
  const params: unknown[] = [tenantId];
  if (f.customer !== undefined) where.push(`customer = $${params.push(f.customer)}::text`);
  if (f.orderId !== undefined) where.push(`order_id = $${params.push(f.orderId)}::text`);
  createdWhere(where, params, f);
  return paginate<DbCheckoutSession, DbCheckoutSession>(db, { table: 'stripe_checkout_sessions', where, params, ...page }, (r) => r);
}

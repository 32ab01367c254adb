import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Each table has one owner (README, Layout): its SQL lives in the owner's store module,
 * src/<owner>/store.ts, and everything else (the owner's own rule modules, other capabilities,
 * the gateway faces) calls the store's functions. Nothing outside a store hands a table's name to
 * a helper that builds SQL (paginate, ownedRow…): a face asks the owner's list function and
 * passes its page. A statement reaches into another owner's table only where one statement is
 * worth it (a hot path's single round trip, a report's aggregate, a folder that sits below the
 * owner); it is then in the reaching folder's store, listed in JUSTIFIED, and says why beside
 * it, in a comment naming `<table> (owned by src/<owner>)`. src/db/ (the pool, migrations, the
 * generic helpers) is the database's own plumbing, not a capability.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every table the migrations create, and the folder of src/ that owns it. */
const OWNERS: Record<string, string> = {
  tenants: 'tenants',
  api_keys: 'tenants',
  rate_limit_hits: 'http',
  idempotency_keys: 'http',
  audit_log: 'audit',
  audit_checkpoints: 'audit',
  audit_legacy_boundaries: 'audit',
  audit_verifications: 'audit',
  payment_totals: 'payments',
  payment_total_deltas: 'payments',
  key_fingerprints: 'secrets',
  restricted_keys: 'credentials',
  jwt_keys: 'credentials',
  jwt_replay: 'credentials',
  // Written only by the outbox (src/webhooks/outbox.ts), with the deliveries it fans out to.
  events: 'webhooks',
  webhook_endpoints: 'webhooks',
  webhook_deliveries: 'webhooks',
  webhook_attempts: 'webhooks',
  orders: 'orders',
  payments: 'payments',
  refunds: 'refunds',
  fraud_rules: 'fraud',
  checkout_sessions: 'checkout',
  checkout_payments: 'checkout',
  reconciliation_runs: 'reconcile',
  dashboard_sessions: 'dashboard',
  request_log: 'request-log',
  // What only Stripe's API has: the face's own tables (migration 0022).
  stripe_customers: 'faces/stripe',
  stripe_payment_methods: 'faces/stripe',
  stripe_intents: 'faces/stripe',
  stripe_products: 'faces/stripe',
  stripe_prices: 'faces/stripe',
  stripe_webhook_endpoints: 'faces/stripe',
  stripe_checkout_sessions: 'faces/stripe',
  // What only Razorpay's API has (migration 0033).
  razorpay_objects: 'faces/razorpay',
  razorpay_settlement_runs: 'faces/razorpay',
};

/** The statements that reach into another owner's table, by store, each with its reason in the source. */
const JUSTIFIED: Record<string, string[]> = {
  // Hot paths: one statement per request or per batch.
  'src/webhooks/store.ts': ['tenants', 'payments'], // the outbox's fan-out, a delivery's claim, a resend's targets
  'src/credentials/store.ts': ['tenants'], // a restricted key or a service token with its tenant
  'src/dashboard/store.ts': ['api_keys', 'tenants'], // a dashboard request's session, key and tenant
  // One statement where two would do, in a folder below the other owner or beside it.
  'src/checkout/store.ts': ['payments'],
  'src/payments/store.ts': ['tenants'], // reconciliation's overdue payments, each on its tenant's clock
  'src/events/store.ts': ['refunds', 'events'], // the event log's reads, below the outbox that writes it
  'src/tenants/store.ts': ['payments', 'webhook_endpoints', 'webhook_deliveries'],
  // A chain is a tenant's id, and audit sits below tenants.
  'src/audit/store.ts': ['tenants'],
};

/**
 * SQL on a table outside a store module, by file: none. (A place that needs one, and why, would
 * be listed here.)
 */
const OUTSIDE_STORE: Record<string, string[]> = {};

const isStore = (path: string) => path.endsWith('/store.ts');

/** The database's plumbing (src/db/): the pool, migrations and the helpers the stores call. */
const isPlumbing = (path: string) => path.startsWith('src/db/');

function migrationTables(): string[] {
  const dir = join(ROOT, 'migrations');
  const sql = readdirSync(dir).filter((f) => f.endsWith('.sql')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  return [...new Set([...sql.matchAll(/CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/gi)].map((m) => m[1]!))].sort();
}

function sourceFiles(dir = join(ROOT, 'src')): Array<{ path: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [{ path: relative(ROOT, full), text: readFileSync(full, 'utf8') }] : [];
  });
}

interface Reference {
  path: string;
  line: number;
  table: string;
}

/** Whether a file is in the owner's folder (src/<owner>/…, nested owners such as faces/<face> too). */
const inFolder = (path: string, owner: string | undefined) => owner !== undefined && path.startsWith(`src/${owner}/`);

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/**
 * The tables a file's SQL names after FROM, JOIN, UPDATE, INTO (INSERT, DELETE FROM), USING or
 * TABLE (keywords in capitals, as all SQL here is written), and the tables handed by name to
 * something that builds SQL: a list's `table: '<table>'` (paginate, listPage), or a call whose
 * second argument is the name (ownedRow(db, 'payments', …), a list helper).
 */
function references(file: { path: string; text: string }, tables: string[]): Reference[] {
  const names = tables.join('|');
  const patterns = [
    new RegExp(`\\b(?:FROM|JOIN|UPDATE|INTO|USING|TABLE)\\s+(${names})\\b`, 'g'),
    new RegExp(`\\btable:\\s*['"\`](${names})['"\`]`, 'g'),
    new RegExp(`\\b\\w+(?:<[^()]*?>)?\\(\\s*[\\w.]+\\s*,\\s*['"\`](${names})['"\`]`, 'g'),
  ];
  return patterns.flatMap((re) => [...file.text.matchAll(re)].map((m) => ({ path: file.path, line: lineOf(file.text, m.index), table: m[1]! })));
}

/** References outside the table's owner that JUSTIFIED does not list, as `path:line table`. */
function strayReferences(files: Array<{ path: string; text: string }>, tables: string[]): string[] {
  return files
    .flatMap((f) => references(f, tables))
    .filter((r) => !inFolder(r.path, OWNERS[r.table]) && !JUSTIFIED[r.path]?.includes(r.table))
    .map((r) => `${r.path}:${r.line} ${r.table} (owned by src/${OWNERS[r.table]})`);
}

/** References in a module other than a store (the owner's own rule modules included) that OUTSIDE_STORE does not list. */
function referencesOutsideStores(files: Array<{ path: string; text: string }>, tables: string[]): string[] {
  return files
    .filter((f) => !isStore(f.path))
    .flatMap((f) => references(f, tables))
    .filter((r) => !OUTSIDE_STORE[r.path]?.includes(r.table))
    .map((r) => `${r.path}:${r.line} ${r.table} (its SQL belongs in src/${OWNERS[r.table]}/store.ts)`);
}

/**
 * Statements and list queries sent from a module other than a store or src/db/: a call of
 * rows/one/maybeOne/defer with SQL text (SELECT, INSERT, UPDATE, DELETE, WITH, SET), whatever
 * tables it names (an advisory lock, a database function), and a call of paginate or listPage.
 */
function sqlOutsideStores(files: Array<{ path: string; text: string }>): string[] {
  const patterns = [
    /\.(?:rows|one|maybeOne|defer)(?:<[^()]*?>)?\(\s*[`'"]\s*(SELECT|INSERT|UPDATE|DELETE|WITH|SET)\b/g,
    /\b(paginate|listPage)(?:<[^()]*?>)?\(/g,
  ];
  return files
    .filter((f) => !isStore(f.path) && !isPlumbing(f.path))
    .flatMap((f) => patterns.flatMap((re) => [...f.text.matchAll(re)].map((m) => `${f.path}:${lineOf(f.text, m.index)} ${m[1]}`)));
}

describe('each table has one owner', () => {
  const tables = migrationTables();
  const files = sourceFiles();

  it('every table the migrations create has an owner folder in src/', () => {
    expect(Object.keys(OWNERS).sort()).toEqual(tables);
    expect(Object.values(OWNERS).filter((o) => !files.some((f) => inFolder(f.path, o)))).toEqual([]);
  });

  it("a table's SQL lives in its owner's folder; other folders call the owner's functions", () => {
    expect(strayReferences(files, tables)).toEqual([]);
  });

  it("within its folder, a capability's SQL lives in its store module; its rule modules call the store", () => {
    expect(referencesOutsideStores(files, tables)).toEqual([]);
  });

  it('no statement and no list query is sent from outside a store (src/db/ aside)', () => {
    expect(sqlOutsideStores(files)).toEqual([]);
  });

  it('a statement that reaches into another owner says why, and every listed exception is still needed', () => {
    const byPath = new Map(files.map((f) => [f.path, f]));
    for (const [path, listed] of Object.entries(JUSTIFIED)) {
      const file = byPath.get(path);
      expect(file, `${path} is gone: drop it from JUSTIFIED`).toBeDefined();
      const used = new Set(references(file!, tables).filter((r) => !inFolder(path, OWNERS[r.table])).map((r) => r.table));
      for (const table of listed) {
        expect(used.has(table), `${path} no longer reaches into ${table}: drop it from JUSTIFIED`).toBe(true);
        expect(file!.text.includes(`${table} (owned by src/${OWNERS[table]})`), `${path} says why it reaches into ${table}`).toBe(true);
      }
    }
    for (const [path, listed] of Object.entries(OUTSIDE_STORE)) {
      const file = byPath.get(path);
      expect(file, `${path} is gone: drop it from OUTSIDE_STORE`).toBeDefined();
      const used = new Set(references(file!, tables).map((r) => r.table));
      for (const table of listed) expect(used.has(table), `${path} no longer names ${table}: drop it from OUTSIDE_STORE`).toBe(true);
    }
  });

  it('finds SQL on a table outside its owner', () => {
    const planted = [
      { path: 'src/dashboard/planted.ts', text: "const q = 'SELECT count(*) FROM payments WHERE tenant_id = $1::text';" },
      { path: 'src/metrics/planted.ts', text: 'await t.rows(`UPDATE webhook_deliveries SET status = $1::text`);\nawait t.rows(`DELETE FROM tenants`);' },
      { path: 'src/checkout/planted.ts', text: "await ownedRow<DbPayment>(db, 'payments', tenantId, id, { what: 'payment' });" },
      { path: 'src/payments/planted.ts', text: "const q = 'SELECT * FROM payments p JOIN refunds r ON r.payment_id = p.id';" },
    ];
    expect(strayReferences(planted, tables)).toEqual([
      'src/dashboard/planted.ts:1 payments (owned by src/payments)',
      'src/metrics/planted.ts:1 webhook_deliveries (owned by src/webhooks)',
      'src/metrics/planted.ts:2 tenants (owned by src/tenants)',
      'src/checkout/planted.ts:1 payments (owned by src/payments)',
      'src/payments/planted.ts:1 refunds (owned by src/refunds)',
    ]);
  });

  it("finds a table's name handed to a SQL builder outside its owner (a face's list)", () => {
    const planted = [
      { path: 'src/faces/native/routes/planted.ts', text: "paginate<DbPayment, P>(db, { table: 'payments', ...listWhere({ tenant_id: id }), ...pageArgs(q) }, paymentView);" },
      { path: 'src/faces/razorpay/planted.ts', text: "return collection(db, 'orders', tenantId, q, rzpOrderRow);" },
    ];
    expect(strayReferences(planted, tables)).toEqual([
      'src/faces/native/routes/planted.ts:1 payments (owned by src/payments)',
      'src/faces/razorpay/planted.ts:1 orders (owned by src/orders)',
    ]);
    expect(sqlOutsideStores(planted)).toEqual(['src/faces/native/routes/planted.ts:1 paginate']);
  });

  it("finds SQL in the owner's folder outside its store", () => {
    const planted = [
      { path: 'src/payments/create.ts', text: 'const p = await t.one<DbPayment>(\n  `UPDATE payments SET status = $2::text WHERE id = $1::text RETURNING *`, [id, to]);' },
      { path: 'src/orders/orders.ts', text: "return ownedRow<DbOrder>(db, 'orders', tenantId, id, { what: 'order' });" },
      { path: 'src/fraud/evaluate.ts', text: "await db.one('SELECT velocity_count($1::text) AS n', [key]);" },
      { path: 'src/payments/store.ts', text: "return t.one<DbPayment>('SELECT * FROM payments WHERE id = $1::text', [id]);" },
    ];
    expect(referencesOutsideStores(planted, tables)).toEqual([
      'src/payments/create.ts:2 payments (its SQL belongs in src/payments/store.ts)',
      'src/orders/orders.ts:1 orders (its SQL belongs in src/orders/store.ts)',
    ]);
    expect(sqlOutsideStores(planted)).toEqual(['src/payments/create.ts:1 UPDATE', 'src/fraud/evaluate.ts:1 SELECT']);
  });
});

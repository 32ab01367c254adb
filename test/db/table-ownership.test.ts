import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Each table has one owner (README, Layout): its SQL lives in the owner's folder and other
 * capabilities call the owner's functions. A statement reaches into another owner's table only
 * where one statement is worth it (a hot path's single round trip, a report's aggregate, a folder
 * that sits below the owner); each such place is listed in JUSTIFIED and says why beside it, in a
 * comment naming `<table> (owned by src/<owner>)`.
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
  key_fingerprints: 'secrets',
  restricted_keys: 'credentials',
  jwt_keys: 'credentials',
  jwt_replay: 'credentials',
  events: 'events',
  webhook_endpoints: 'webhooks',
  webhook_deliveries: 'webhooks',
  webhook_attempts: 'webhooks',
  orders: 'orders',
  payments: 'payments',
  refunds: 'refunds',
  fraud_rules: 'fraud',
  checkout_sessions: 'checkout',
  reconciliation_runs: 'reconcile',
  dashboard_sessions: 'dashboard',
  request_log: 'request-log',
};

/** The statements that reach into another owner's table, by file, each with its reason in the source. */
const JUSTIFIED: Record<string, string[]> = {
  // Hot paths: one statement per request or per batch.
  'src/webhooks/fanout.ts': ['events', 'payments'],
  'src/webhooks/deliver.ts': ['events', 'tenants', 'payments'],
  'src/credentials/restricted-keys.ts': ['tenants'],
  'src/credentials/service-tokens.ts': ['tenants'],
  'src/dashboard/sessions.ts': ['api_keys', 'tenants'],
  // One statement where two would do, in a folder below the other owner or beside it.
  'src/webhooks/resend.ts': ['payments'],
  'src/checkout/sessions.ts': ['payments'],
  'src/events/events.ts': ['refunds'],
  'src/tenants/admin.ts': ['payments', 'webhook_endpoints', 'webhook_deliveries'],
  // A chain is a tenant's id, and audit sits below tenants.
  'src/audit/checkpoints.ts': ['tenants'],
  'src/audit/verify.ts': ['tenants'],
};

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

/** src/<folder>/…: the capability a file belongs to ('' for src/*.ts). */
const folderOf = (path: string) => {
  const parts = path.split('/');
  return parts.length > 2 ? parts[1]! : '';
};

interface Reference {
  path: string;
  line: number;
  table: string;
}

/**
 * The tables a file's SQL names after FROM, JOIN, UPDATE, INTO (INSERT, DELETE FROM), USING or
 * TABLE (keywords in capitals, as all SQL here is written), and the tables handed by name to the
 * owned-row helpers of src/db/owned.ts.
 */
function references(file: { path: string; text: string }, tables: string[]): Reference[] {
  const names = tables.join('|');
  const patterns = [
    new RegExp(`\\b(?:FROM|JOIN|UPDATE|INTO|USING|TABLE)\\s+(${names})\\b`, 'g'),
    new RegExp(`\\b(?:ownedRow|replaceOwnedJson)(?:<[^>]*>)?\\(\\s*\\w+\\s*,\\s*'(${names})'`, 'g'),
  ];
  return patterns.flatMap((re) =>
    [...file.text.matchAll(re)].map((m) => ({ path: file.path, line: file.text.slice(0, m.index).split('\n').length, table: m[1]! })),
  );
}

/** References outside the table's owner that JUSTIFIED does not list, as `path:line table`. */
function strayReferences(files: Array<{ path: string; text: string }>, tables: string[]): string[] {
  return files
    .flatMap((f) => references(f, tables))
    .filter((r) => folderOf(r.path) !== OWNERS[r.table] && !JUSTIFIED[r.path]?.includes(r.table))
    .map((r) => `${r.path}:${r.line} ${r.table} (owned by src/${OWNERS[r.table]})`);
}

describe('each table has one owner', () => {
  const tables = migrationTables();
  const files = sourceFiles();

  it('every table the migrations create has an owner folder in src/', () => {
    expect(Object.keys(OWNERS).sort()).toEqual(tables);
    const folders = new Set(files.map((f) => folderOf(f.path)));
    expect(Object.values(OWNERS).filter((o) => !folders.has(o))).toEqual([]);
  });

  it("a table's SQL lives in its owner's folder; other folders call the owner's functions", () => {
    expect(strayReferences(files, tables)).toEqual([]);
  });

  it('a statement that reaches into another owner says why, and every listed exception is still needed', () => {
    const byPath = new Map(files.map((f) => [f.path, f]));
    for (const [path, listed] of Object.entries(JUSTIFIED)) {
      const file = byPath.get(path);
      expect(file, `${path} is gone: drop it from JUSTIFIED`).toBeDefined();
      const used = new Set(references(file!, tables).filter((r) => folderOf(path) !== OWNERS[r.table]).map((r) => r.table));
      for (const table of listed) {
        expect(used.has(table), `${path} no longer reaches into ${table}: drop it from JUSTIFIED`).toBe(true);
        expect(file!.text.includes(`${table} (owned by src/${OWNERS[table]})`), `${path} says why it reaches into ${table}`).toBe(true);
      }
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
});

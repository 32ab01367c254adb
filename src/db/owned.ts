import { notFound } from '../core/errors.ts';
import type { Queryable, Tx } from './pool.ts';

/** The tables whose rows belong to one tenant and are found by their id. */
export type OwnedTable = 'orders' | 'payments' | 'refunds' | 'events' | 'checkout_sessions' | 'webhook_endpoints';

/** Tables whose rows are deleted softly (deleted_at): a deleted row is not found either. */
const SOFT_DELETED: ReadonlySet<OwnedTable> = new Set(['webhook_endpoints']);

/**
 * One of the tenant's rows by id, locked FOR UPDATE when `lock` (inside a transaction): another
 * tenant's row is not found, like a missing one (404 naming `what`, and `param` when the id came
 * in a body field). Called by the table's owner only.
 */
export async function ownedRow<R>(q: Queryable, table: OwnedTable, tenantId: string, id: string, opts: { what: string; lock?: boolean; param?: string }): Promise<R> {
  const live = SOFT_DELETED.has(table) ? ' AND deleted_at IS NULL' : '';
  const row = await q.maybeOne<R>(`SELECT * FROM ${table} WHERE id = $1::text AND tenant_id = $2::text${live}${opts.lock ? ' FOR UPDATE' : ''}`, [id, tenantId]);
  if (!row) throw notFound(opts.what, opts.param);
  return row;
}

/**
 * Replaces a JSON column of one of the tenant's rows (its metadata; an order's is Razorpay's
 * `notes`) under the row's lock: the row before and after, for the owner's audit row.
 */
export async function replaceOwnedJson<R>(t: Tx, table: OwnedTable, column: 'metadata' | 'notes', tenantId: string, id: string, value: unknown, what: string): Promise<{ before: R; after: R }> {
  const before = await ownedRow<R>(t, table, tenantId, id, { what, lock: true });
  const after = await t.one<R>(
    `UPDATE ${table} SET ${column} = $3::jsonb, updated_at = now() WHERE id = $1::text AND tenant_id = $2::text RETURNING *`,
    [id, tenantId, JSON.stringify(value)],
  );
  return { before, after };
}

import { badRequest } from '../core/errors.ts';
import type { Queryable } from './pool.ts';

export interface Page<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

const CAST = (v: unknown) =>
  v instanceof Date ? 'timestamptz' : typeof v === 'boolean' ? 'boolean' : typeof v === 'number' ? (Number.isInteger(v) ? 'bigint' : 'float8') : 'text';

/**
 * WHERE conditions for a list: `column = value` for each given filter (undefined ones are
 * skipped; a key may carry its operator, as in "created_at >="), plus fixed SQL conditions.
 */
export function listWhere(filters: Record<string, unknown>, fixed: string[] = []): { where: string[]; params: unknown[] } {
  const where = [...fixed];
  const params: unknown[] = [];
  addFilters(where, params, filters);
  return { where, params };
}

function addFilters(where: string[], params: unknown[], filters: Record<string, unknown>, conditions: readonly Condition[] = []): void {
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${key.includes(' ') ? key : `${key} =`} $${params.length}::${CAST(value)}`);
  }
  for (const c of conditions) {
    if (c.value === undefined) continue;
    params.push(c.value);
    where.push(c.sql(`$${params.length}`));
  }
}

/** A condition whose SQL is more than `column = value`: written around its value's placeholder (`$n`); left out when the value is undefined. */
export interface Condition {
  sql: (param: string) => string;
  value: unknown;
}

/** Where a page of a list starts, in the dialect of the face that asks: after a cursor (Sandpay's own API). */
export interface CursorArgs {
  limit: number;
  /** Older than this id (the next page). */
  startingAfter?: string | undefined;
  /** Newer than this id (the previous page). */
  endingBefore?: string | undefined;
}

/** …or `count` rows after `skip`, created between `from` and `to` (Razorpay's). */
export interface SkipArgs {
  count: number;
  skip: number;
  from?: Date | undefined;
  to?: Date | undefined;
}

export type PageArgs = CursorArgs | SkipArgs;

/** What a list answers in each dialect: a cursor page, or a skip page's rows. */
export type PageOf<P extends PageArgs, T> = P extends SkipArgs ? T[] : Page<T>;

/** One tenant's rows of a table, for listPage: `column = value` filters (as listWhere takes them), fixed SQL conditions, and conditions around a value. */
export interface TenantList {
  table: string;
  tenantId: string;
  filters?: Record<string, unknown>;
  fixed?: string[];
  conditions?: readonly Condition[];
}

/**
 * A page of one tenant's rows, newest first, in the dialect `page` is written in: by cursor
 * (paginate), or `count` rows after `skip` (skipPage). Called by the table's owner only.
 */
export function listPage<R extends { id: string }, T, P extends PageArgs>(db: Queryable, list: TenantList, page: P, view: (row: R) => T): Promise<PageOf<P, T>> {
  if ('count' in page) return skipPage(db, list, page, view) as Promise<PageOf<P, T>>;
  const { where, params } = listWhere({ tenant_id: list.tenantId, ...list.filters }, list.fixed);
  addFilters(where, params, {}, list.conditions);
  return paginate(db, { table: list.table, where, params, ...page }, view) as Promise<PageOf<P, T>>;
}

/**
 * One page of a tenant's rows, newest first, as Razorpay pages: `count` rows after `skip`. Rows
 * come off the (tenant_id, created_at DESC, id DESC) index, and skip is bounded by the face's
 * query schema, so no page reads more than skip + count index entries.
 */
async function skipPage<R, T>(db: Queryable, list: TenantList, page: SkipArgs, view: (row: R) => T): Promise<T[]> {
  const params: unknown[] = [page.count, page.skip, list.tenantId];
  const where = ['tenant_id = $3::text', ...(list.fixed ?? [])];
  addFilters(where, params, { 'created_at >=': page.from, 'created_at <=': page.to });
  addFilters(where, params, list.filters ?? {}, list.conditions);
  const rows = await db.rows<R>(
    `SELECT * FROM ${list.table} WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $1::int OFFSET $2::int`,
    params,
  );
  return rows.map(view);
}

export interface PageRequest extends CursorArgs {
  /** Table (or alias) with `id` and `created_at`, scanned newest first. */
  table: string;
  /** Fixed SQL conditions with $1.. placeholders matching `params`; tenant scoping goes here. */
  where: string[];
  params: unknown[];
}

/**
 * Cursor pagination on (created_at, id), newest first (called by a table's owner only): an index range scan whatever the page
 * depth, never OFFSET. The cursor row is compared inside SQL so created_at keeps its
 * microseconds (a JS Date would round them and skip or repeat rows). `ending_before` scans the
 * other way from its cursor and turns the page round, so both directions cost one query.
 */
export async function paginate<R extends { id: string }, T>(db: Queryable, req: PageRequest, view: (row: R) => T): Promise<Page<T>> {
  if (req.startingAfter !== undefined && req.endingBefore !== undefined) {
    throw badRequest('parameter_invalid', 'Send starting_after or ending_before, not both', 'ending_before');
  }
  const backwards = req.endingBefore !== undefined;
  const cursorId = req.startingAfter ?? req.endingBefore;
  const where = [...req.where];
  const params = [...req.params];
  let cursor: string | null = null;
  if (cursorId !== undefined) {
    params.push(cursorId);
    cursor = `SELECT created_at, id FROM ${req.table} WHERE id = $${params.length}::text AND ${req.where.join(' AND ')}`;
    where.push(`(created_at, id) ${backwards ? '>' : '<'} (${cursor})`);
  }
  params.push(req.limit + 1);
  const order = backwards ? 'ASC' : 'DESC';
  const rows = await db.rows<R>(
    `SELECT * FROM ${req.table} WHERE ${where.join(' AND ')} ORDER BY created_at ${order}, id ${order} LIMIT $${params.length}::int`,
    params,
  );
  // An unknown cursor also gives no rows; only then is it worth a second look, so a deep page
  // costs the same one query as the first.
  if (rows.length === 0 && cursor && !(await db.maybeOne(cursor, params.slice(0, -1)))) {
    const param = backwards ? 'ending_before' : 'starting_after';
    throw badRequest('invalid_cursor', `${param} is not an id from this list`, param);
  }
  const hasMore = rows.length > req.limit;
  const page = hasMore ? rows.slice(0, req.limit) : rows;
  if (backwards) page.reverse();
  return {
    object: 'list',
    data: page.map(view),
    has_more: hasMore,
    next_cursor: page.length > 0 && (hasMore || backwards) ? page[page.length - 1]!.id : null,
  };
}

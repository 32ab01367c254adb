import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { badRequest } from './errors.ts';
import { limitSchema } from './validate.ts';

export const pageQuery = {
  limit: limitSchema,
  starting_after: z.string().min(1).max(100).optional(),
};

export interface Page<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

const CAST = (v: unknown) => (v instanceof Date ? 'timestamptz' : typeof v === 'boolean' ? 'boolean' : 'text');

/**
 * WHERE conditions for a list: `column = value` for each given filter (undefined ones are
 * skipped; a key may carry its operator, as in "created_at >="), plus fixed SQL conditions.
 */
export function listWhere(filters: Record<string, unknown>, fixed: string[] = []): { where: string[]; params: unknown[] } {
  const where = [...fixed];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${key.includes(' ') ? key : `${key} =`} $${params.length}::${CAST(value)}`);
  }
  return { where, params };
}

export interface PageRequest {
  /** Table (or alias) with `id` and `created_at`, scanned newest first. */
  table: string;
  /** Fixed SQL conditions with $1.. placeholders matching `params`; tenant scoping goes here. */
  where: string[];
  params: unknown[];
  limit: number;
  startingAfter: string | undefined;
}

/**
 * Cursor pagination on (created_at, id), newest first: an index range scan whatever the page
 * depth, never OFFSET. The cursor row is compared inside SQL so created_at keeps its
 * microseconds (a JS Date would round them and skip or repeat rows).
 */
export async function paginate<R extends { id: string }, T>(db: Queryable, req: PageRequest, view: (row: R) => T): Promise<Page<T>> {
  const where = [...req.where];
  const params = [...req.params];
  let cursor: string | null = null;
  if (req.startingAfter !== undefined) {
    params.push(req.startingAfter);
    cursor = `SELECT created_at, id FROM ${req.table} WHERE id = $${params.length}::text AND ${req.where.join(' AND ')}`;
    where.push(`(created_at, id) < (${cursor})`);
  }
  params.push(req.limit + 1);
  const rows = await db.rows<R>(
    `SELECT * FROM ${req.table} WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}::int`,
    params,
  );
  // An unknown cursor also gives no rows; only then is it worth a second look, so a deep page
  // costs the same one query as the first.
  if (rows.length === 0 && cursor && !(await db.maybeOne(cursor, params.slice(0, -1)))) {
    throw badRequest('invalid_cursor', 'starting_after is not an id from this list', 'starting_after');
  }
  const hasMore = rows.length > req.limit;
  const page = hasMore ? rows.slice(0, req.limit) : rows;
  return {
    object: 'list',
    data: page.map(view),
    has_more: hasMore,
    next_cursor: hasMore ? page[page.length - 1]!.id : null,
  };
}

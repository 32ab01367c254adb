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
  if (req.startingAfter !== undefined) {
    params.push(req.startingAfter);
    const n = params.length;
    const cursor = `SELECT created_at, id FROM ${req.table} WHERE id = $${n}::text AND ${req.where.join(' AND ')}`;
    const exists = await db.maybeOne(cursor, params);
    if (!exists) throw badRequest('invalid_cursor', 'starting_after is not an id from this list', 'starting_after');
    where.push(`(created_at, id) < (${cursor})`);
  }
  params.push(req.limit + 1);
  const rows = await db.rows<R>(
    `SELECT * FROM ${req.table} WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}::int`,
    params,
  );
  const hasMore = rows.length > req.limit;
  const page = hasMore ? rows.slice(0, req.limit) : rows;
  return {
    object: 'list',
    data: page.map(view),
    has_more: hasMore,
    next_cursor: hasMore ? page[page.length - 1]!.id : null,
  };
}

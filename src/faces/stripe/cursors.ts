import { DomainError } from '../../core/errors.ts';
import { noSuch } from './errors.ts';
import { isStripeId, type OwnPrefix } from './ids.ts';

export interface CursorQuery {
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
}

/** A cursor of this face's own ids (`cus_…`, `pm_…`, `price_…`): the id itself, when it has the shape. */
export const ownId = (prefix: OwnPrefix) => (id: string) => (isStripeId(prefix, id) ? id : null);

/**
 * Runs a page of a Stripe list with its cursors as the ids of the rows it pages over (`rowId`:
 * the ledger id behind a `pi_`/`ch_`/`re_` id, or this face's own id as it is; null when the
 * cursor has not the shape). A cursor of the wrong shape, unknown, or not in the list is Stripe's
 * "No such …" naming the cursor parameter (paginate's own answer is a 400).
 */
export async function withCursors<T>(what: string, q: CursorQuery, rowId: (id: string) => string | null, run: (cursors: CursorQuery) => Promise<T>): Promise<T> {
  const cursor = (id: string | undefined, param: string) => {
    if (id === undefined) return undefined;
    const row = rowId(id);
    if (row === null) throw noSuch(what, id, param);
    return row;
  };
  const cursors = { startingAfter: cursor(q.startingAfter, 'starting_after'), endingBefore: cursor(q.endingBefore, 'ending_before') };
  try {
    return await run(cursors);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'invalid_cursor' && err.param) throw noSuch(what, (q.startingAfter ?? q.endingBefore)!, err.param);
    throw err;
  }
}

import type { Queryable } from '../db/pool.ts';
import { DAY_START, TENANT_SCOPE } from '../db/report-sql.ts';

/** What other capabilities ask of the refunds table, which this folder owns: the dashboard's numbers. */

/** Today's (in time zone `tz`) refunds by status and currency: how many and how much. `tenantId` null: every tenant. */
export function refundsToday(db: Queryable, tenantId: string | null, tz: string): Promise<Array<{ status: string; currency: string; count: string; amount: string }>> {
  return db.rows<{ status: string; currency: string; count: string; amount: string }>(
    `SELECT status, currency, count(*) AS count, sum(amount) AS amount FROM refunds
      WHERE ${TENANT_SCOPE} AND created_at >= ${DAY_START} GROUP BY status, currency`,
    [tenantId, tz],
  );
}

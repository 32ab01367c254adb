import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app.ts';
import { parseQuery } from '../../validate.ts';
import { jobStats } from '../../../jobs/stats.ts';
import { reconcile, runView, type ReconciliationRun } from '../../../reconcile/reconcile.ts';

const runsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.coerce.number().int().min(1).optional(),
});

/** Operator views of the job queue and the reconciliation job. */
export function adminOpsRouter(deps: AppDeps): Router {
  const { db, boss } = deps;
  const router = Router();

  router.get('/jobs', async (_req, res) => {
    res.json(await jobStats(boss));
  });

  router.get('/reconciliation-runs', async (req, res) => {
    const q = parseQuery(runsQuery, req.query);
    const rows = await db.rows<ReconciliationRun>(
      'SELECT * FROM reconciliation_runs WHERE ($1::bigint IS NULL OR id < $1::bigint) ORDER BY id DESC LIMIT $2::int',
      [q.starting_after ?? null, q.limit + 1],
    );
    const page = rows.slice(0, q.limit);
    res.json({ object: 'list', data: page.map(runView), has_more: rows.length > q.limit, next_cursor: rows.length > q.limit ? String(page.at(-1)!.id) : null });
  });

  // Run reconciliation now instead of waiting for the schedule.
  router.post('/reconciliation-runs', async (_req, res) => {
    res.status(201).json(runView(await reconcile(deps, 'admin')));
  });

  return router;
}

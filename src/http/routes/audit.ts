import { Router } from 'express';
import type { AppDeps } from '../app.ts';
import { tenantOf } from '../context.ts';
import { verifyChain } from '../../audit/read.ts';

export function auditRouter({ db }: AppDeps): Router {
  const router = Router();
  /** Recomputes the tenant's whole hash chain: {ok, rows_checked, first_bad_row?}. */
  router.get('/audit/verify', async (req, res) => {
    res.json(await verifyChain(db, tenantOf(req).id));
  });
  return router;
}

import { Router } from 'express';
import type { AppDeps } from '../../app.ts';
import { verifyChain } from '../../../audit/read.ts';
import { metricsSnapshot } from '../../../metrics/snapshot.ts';

export function adminMetricsRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.json(await metricsSnapshot(deps));
  });
  // Any chain: a tenant id, or "global" for operator-wide changes.
  router.get('/audit/verify/:chain', async (req, res) => {
    res.json(await verifyChain(deps.db, req.params.chain));
  });
  return router;
}

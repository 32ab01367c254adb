import { Router } from 'express';
import type { AppDeps } from '../app.ts';
import { migrationStatus } from '../../db/migrate.ts';

/**
 * Liveness never touches the database; readiness checks the three things a request needs:
 * a reachable database, a fully migrated schema, and a running job queue.
 */
export function healthRouter({ db, jobs }: AppDeps): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/health/ready', async (_req, res) => {
    const checks = { database: false, migrations: false, jobs: jobs.running() };
    try {
      await db.rows('SELECT 1');
      checks.database = true;
      checks.migrations = (await migrationStatus(db)).ok;
    } catch {
      // reported through the checks below
    }
    const ready = checks.database && checks.migrations && checks.jobs;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  router.get('/api/v1/health/db', async (_req, res) => {
    const started = performance.now();
    try {
      const row = await db.one<{ version: string }>('SELECT current_setting($1::text) AS version', ['server_version']);
      const status = await migrationStatus(db);
      res.json({
        status: 'ok',
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        server_version: row.version,
        migrations: { applied: status.applied, expected: status.expected },
        pool: { total: db.pool.totalCount, idle: db.pool.idleCount, waiting: db.pool.waitingCount },
      });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  return router;
}

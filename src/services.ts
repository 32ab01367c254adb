import type { Actor } from './audit/append.ts';
import type { Config } from './config.ts';
import type { Db } from './db/pool.ts';
import type { PgBoss } from './jobs/boss.ts';
import type { Logger } from './logger.ts';
import type { DbTenant } from './tenants/tenants.ts';

/** What the domain needs from the process: passed in, never imported as singletons. */
export interface Services {
  db: Db;
  boss: PgBoss;
  config: Config;
  log: Logger;
}

/** Who is acting, for whom: every domain write takes one, so audit rows can say so. */
export interface Ctx {
  svc: Services;
  tenant: DbTenant;
  actor: Actor;
  requestId: string | null;
}

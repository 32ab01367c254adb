import type { Config } from './config.ts';
import type { Db } from './db/pool.ts';
import type { EventHub } from './events/hub.ts';
import type { PgBoss } from './jobs/boss.ts';
import type { Logger } from './logger.ts';
import type { KeyStore } from './secrets/keys.ts';
import type { DbTenant } from './tenants/types.ts';

/** What the domain needs from the process: passed in, never imported as singletons. */
export interface Services {
  db: Db;
  boss: PgBoss;
  config: Config;
  log: Logger;
  /** Keys derived from the master key (audit MACs, checkpoint signatures, encrypted secrets). */
  keys: KeyStore;
  /** Live event streams of this process (absent where nothing serves them, e.g. the benchmark). */
  eventHub?: EventHub;
}

export type ActorType = 'api_key' | 'publishable_key' | 'restricted_key' | 'service_token' | 'checkout_session' | 'dashboard' | 'admin' | 'system';

/** Who made a change, as audit rows record it: the credential's kind and id. */
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** Who is acting, for whom: every domain write takes one, so audit rows can say so. */
export interface Ctx {
  svc: Services;
  tenant: DbTenant;
  actor: Actor;
  requestId: string | null;
}

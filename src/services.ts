import type { Config } from './config.ts';
import type { Db, Tx } from './db/pool.ts';
import type { EventHub } from './events/hub.ts';
import type { PgBoss } from './jobs/boss.ts';
import type { Logger } from './logger.ts';
import type { KeyStore } from './secrets/keys.ts';
import type { DbTenant } from './tenants/types.ts';
import type { ApiObject } from './events/types.ts';
import type { WebhookFace } from './webhooks/faces.ts';

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
  /** How capabilities react to each other's changes, wired at start-up (src/wiring.ts). */
  hooks: Hooks;
  /** The gateway faces whose webhook endpoints this Sandpay serves, besides its own (src/contract/faces.ts). */
  webhookFaces: readonly WebhookFace[];
}

/**
 * The points where one capability reacts to a change in another that sits below it, without the
 * lower one importing it: each runs in the transaction of the change, after its rows. (What they
 * pass is typed by its shape: naming the capabilities' own types here would tie every importer of
 * Services to them.)
 */
export interface Hooks {
  /** A payment moved to `to` (checkout completes the order's open sessions). */
  paymentMoved: Array<(t: Tx, ctx: Ctx, payment: { id: string; order_id: string | null }, to: string) => Promise<void>>;
  /** An audit checkpoint was signed and stored (the tenant is sent an audit.checkpoint event). */
  checkpointSigned: Array<(t: Tx, svc: Services, chain: string, checkpoint: ApiObject) => Promise<void>>;
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

import type { AuditContext } from './audit/context.ts';
import type { Config } from './config.ts';
import type { Db, Tx } from './db/pool.ts';
import type { EventHub } from './events/hub.ts';
import type { PgBoss } from './jobs/boss.ts';
import type { Logger } from './logger.ts';
import type { KeyStore } from './secrets/keys.ts';
import type { DbTenant } from './tenants/types.ts';
import type { ApiObject } from './events/types.ts';
import type { WebhookFace } from './webhooks/faces.ts';
import type { TenantCaches } from './tenants/caches.ts';
import type { FraudCheck } from './payments/create.ts';

/**
 * What the process wires once at start-up (src/runtime.ts) and passes explicitly: every domain
 * write takes it beside the request's Ctx, never imports a singleton. (Functions name the part they
 * use with Pick<Services, …>.)
 */
export interface Services {
  db: Db;
  boss: PgBoss;
  config: Config;
  log: Logger;
  /** Keys derived from the master key (audit MACs, checkpoint signatures, encrypted secrets). */
  keys: KeyStore;
  /** The audit log's MAC key, sealer and checkpoint file: every audit row is MACed in its transaction. */
  audit: AuditContext;
  /** This process's tenant caches (src/tenants/caches.ts); absent in tools that run without them. */
  caches?: TenantCaches;
  /** The fraud rules' verdict on a payment about to be created (src/fraud/evaluate.ts). */
  checkFraud: FraudCheck;
  /** Whether the job queue runs (readiness). */
  jobs: { running(): boolean };
  /** The URL this server answers on, once it listens: the `aud` of service tokens when PUBLIC_URL is unset. */
  listenUrl?: () => string | null;
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
  paymentMoved: Array<(t: Tx, svc: Services, ctx: Ctx, payment: { id: string; order_id: string | null }, to: string) => Promise<void>>;
  /** An audit checkpoint was signed and stored (the tenant is sent an audit.checkpoint event). */
  checkpointSigned: Array<(t: Tx, svc: Services, chain: string, checkpoint: ApiObject) => Promise<void>>;
}

export type ActorType = 'api_key' | 'publishable_key' | 'restricted_key' | 'service_token' | 'checkout_session' | 'dashboard' | 'admin' | 'system';

/** Who made a change, as audit rows record it: the credential's kind and id. */
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** Who is acting, for whom, in which request: every domain write takes one, so audit rows can say so. */
export interface Ctx {
  tenant: DbTenant;
  actor: Actor;
  requestId: string | null;
}

import type { CheckpointSigned } from './audit/services.ts';
import type { EventHub } from './events/hub.ts';
import type { PaymentHooks, PaymentServices } from './payments/services.ts';
import type { CheckoutHooks } from './checkout/sessions.ts';

export type { Actor, ActorType } from './core/context.ts';
export type { Ctx } from './tenants/types.ts';

/**
 * What the process wires once at start-up (src/runtime.ts) and passes explicitly: the
 * intersection of the slices the capabilities declare in their own folders (src/jobs/services.ts,
 * then audit, tenants, webhooks and payments, each built on the one below), plus what only the
 * edge uses. The capabilities' functions take their own slice, or a Pick of it; the faces, the
 * contract, the http layer and the wiring take this. With the request's Ctx, one of the two
 * dependency shapes.
 */
export interface Services extends PaymentServices {
  /** How capabilities react to each other's changes, wired at start-up (src/wiring.ts). */
  hooks: Hooks;
  /** Whether the job queue runs (readiness). */
  jobs: { running(): boolean };
  /** The URL this server answers on, once it listens: the `aud` of service tokens when PUBLIC_URL is unset. */
  listenUrl?: () => string | null;
  /** Live event streams of this process (absent where nothing serves them, e.g. the benchmark). */
  eventHub?: EventHub;
}

/**
 * The points where one capability reacts to a change in another that sits below it, without the
 * lower one importing it, each declared by the capability that calls it: a payment's move
 * (src/payments/services.ts), a checkout session's expiry (src/checkout/sessions.ts) and a signed
 * audit checkpoint (src/audit/services.ts). Each runs in
 * the transaction of the change, after its rows.
 */
export interface Hooks extends PaymentHooks, CheckoutHooks {
  checkpointSigned: ReadonlyArray<CheckpointSigned<Services>>;
}

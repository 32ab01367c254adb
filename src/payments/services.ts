import type { Tx } from '../db/pool.ts';
import type { Ctx } from '../tenants/types.ts';
import type { WebhookServices } from '../webhooks/services.ts';
import type { PaymentStatus } from './state-machine.ts';
import type { DbPayment } from './store.ts';
import type { FraudCheck } from './types.ts';

/**
 * A reaction to a payment's move to `to`, in its transaction, after its rows (checkout completes
 * the order's open sessions): wired in src/wiring.ts, so payments never import the capability
 * that reacts.
 */
export type PaymentMoved = (t: Tx, svc: PaymentServices, ctx: Ctx, payment: DbPayment, to: PaymentStatus) => Promise<void>;

export interface PaymentHooks {
  paymentMoved: readonly PaymentMoved[];
}

/** What payments and the capabilities above them need of the wired services: the webhooks' slice, the fraud check, and the hooks a move runs. */
export interface PaymentServices extends WebhookServices {
  /** The fraud rules' verdict on a payment about to be created (src/fraud/evaluate.ts, wired in src/wiring.ts). */
  checkFraud: FraudCheck;
  hooks: PaymentHooks;
}

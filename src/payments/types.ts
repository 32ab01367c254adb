import type { Tx } from '../db/pool.ts';
import type { TenantServices } from '../tenants/services.ts';
import type { Ctx } from '../tenants/types.ts';
import type { CreatePaymentInput } from './schemas.ts';

/**
 * What payments ask the fraud engine (src/fraud, above this folder, which answers through
 * Services.checkFraud, wired in src/wiring.ts), and what a payment's move records.
 */

/** What the fraud engine sees of a payment about to be created. */
export interface PaymentDraft {
  tenantId: string;
  amount: number;
  currency: string;
  method: CreatePaymentInput['method'];
  customerEmail: string | null;
  billingCountry: string | null;
  cardFingerprint: string | null;
  cardBin: string | null;
}

export interface FraudHit {
  action: 'flag' | 'block';
  ruleId: string | null;
  reason: string;
}

/** The fraud rules' verdict on a payment about to be created, in its transaction (src/fraud/evaluate.ts). */
export type FraudCheck = (t: Tx, svc: Pick<TenantServices, 'caches'>, ctx: Ctx, draft: PaymentDraft) => Promise<FraudHit | null>;

export interface TransitionChanges {
  failure?: { code: string; message: string };
  amountCaptured?: number;
  amountRefunded?: number;
  fraud?: FraudHit;
  /** Audit action when it says more than the new status (payment.captured, payment.cancelled). */
  action?: string;
  metadata?: Record<string, unknown>;
}

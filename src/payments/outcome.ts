import type { TenantSettings } from '../tenants/tenants.ts';
import { FAILURE_MESSAGES, failureFor, type Behaviour } from './instruments.ts';
import type { FraudHit, TransitionChanges } from './types.ts';
import type { PaymentStatus } from './state-machine.ts';

export interface Settlement {
  status: Exclude<PaymentStatus, 'pending' | 'partially_refunded' | 'refunded'>;
  changes: TransitionChanges;
}

export const FRAUD_TEST_CARD_REASON = 'The fraud test card (ending 0019) is always flagged';

/**
 * Where an instrument's behaviour ends up once the payment is processed. `successRate` (async
 * mode) turns a share of normally-successful payments into declines, like a real gateway's
 * flaky issuers; `random` is injectable so the rule is testable.
 */
export function settle(
  behaviour: Behaviour,
  p: { method: string; capture: 'automatic' | 'manual'; amount: number },
  successRate = 1,
  random: () => number = Math.random,
): Settlement {
  if (behaviour === 'fraud') {
    return { status: 'flagged', changes: { fraud: { action: 'flag', ruleId: null, reason: FRAUD_TEST_CARD_REASON } } };
  }
  const failure = failureFor(behaviour, p.method);
  if (failure) return { status: 'failed', changes: { failure } };
  if (successRate < 1 && random() >= successRate) {
    return { status: 'failed', changes: { failure: { code: 'payment_declined', message: FAILURE_MESSAGES.payment_declined! } } };
  }
  return approved(p);
}

/** A payment the bank said yes to: captured at once, or authorized for the merchant to capture (manual). */
export function approved(p: { capture: 'automatic' | 'manual'; amount: number }): Settlement {
  return p.capture === 'manual'
    ? { status: 'authorized', changes: {} }
    : { status: 'success', changes: { amountCaptured: p.amount } };
}

export type Plan =
  | { kind: 'settle'; settlement: Settlement }
  | { kind: 'pending'; processAfterMs: number | null };

/**
 * What happens at creation: a fraud rule wins; a payment that stays pending waits for simulate
 * or expiry; async mode (tenant setting) and the delayed-success instruments are settled later
 * by a job; everything else settles at once.
 */
export function planCreation(
  behaviour: Behaviour,
  p: { method: string; capture: 'automatic' | 'manual'; amount: number },
  fraud: FraudHit | null,
  settings: TenantSettings,
): Plan {
  if (fraud?.action === 'block') {
    return { kind: 'settle', settlement: { status: 'failed', changes: { fraud, failure: { code: 'fraud_blocked', message: FAILURE_MESSAGES.fraud_blocked! } } } };
  }
  if (fraud) return { kind: 'settle', settlement: { status: 'flagged', changes: { fraud } } };
  if (behaviour === 'stay_pending' || behaviour === 'three_ds_challenge') return { kind: 'pending', processAfterMs: null };
  if (settings.auto_process.enabled || behaviour === 'delayed_success') {
    return { kind: 'pending', processAfterMs: settings.auto_process.delay_ms };
  }
  return { kind: 'settle', settlement: settle(behaviour, p) };
}

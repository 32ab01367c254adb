import type { Tx } from '../db/pool.ts';
import { badRequest } from '../core/errors.ts';
import { settingsOf, type Ctx } from '../tenants/tenants.ts';
import { FAILURE_MESSAGES } from './instruments.ts';
import { settle } from './outcome.ts';
import type { DbPayment } from './payments.ts';
import type { PaymentServices } from './services.ts';
import { lockPayment } from './store.ts';
import { transitionPayment } from './transition.ts';

export type SimulatedOutcome = 'success' | 'failed' | 'authorized' | 'expired';

/** Explicit control: move a payment to the outcome the developer asks for, if the state machine allows it. */
export async function simulatePayment(t: Tx, svc: PaymentServices, ctx: Ctx, id: string, outcome: SimulatedOutcome, failureCode?: string): Promise<DbPayment> {
  const p = await lockPayment(t, ctx.tenant.id, id);
  switch (outcome) {
    case 'success':
      return transitionPayment(t, svc, ctx, p, 'success', { amountCaptured: Number(p.amount), action: 'payment.simulated_success' });
    case 'authorized':
      return transitionPayment(t, svc, ctx, p, 'authorized', { action: 'payment.simulated_authorized' });
    case 'expired':
      return transitionPayment(t, svc, ctx, p, 'expired', { action: 'payment.simulated_expired' });
    case 'failed': {
      const code = failureCode ?? 'payment_declined';
      const message = FAILURE_MESSAGES[code] ?? `The payment failed (${code}).`;
      return transitionPayment(t, svc, ctx, p, 'failed', { failure: { code, message }, action: 'payment.simulated_failed' });
    }
  }
}

/** Captures an authorized payment, in full or in part; the uncaptured rest is released. */
export async function capturePayment(t: Tx, svc: PaymentServices, ctx: Ctx, id: string, amount?: number): Promise<DbPayment> {
  const p = await lockPayment(t, ctx.tenant.id, id);
  const capture = amount ?? Number(p.amount);
  if (capture > Number(p.amount)) {
    throw badRequest('amount_too_large', `amount must be at most the authorized amount (${p.amount})`, 'amount');
  }
  return transitionPayment(t, svc, ctx, p, 'success', { amountCaptured: capture, action: 'payment.captured', metadata: { released: Number(p.amount) - capture } });
}

/** Cancels a payment that has not completed: pending or authorized becomes failed (payment_cancelled). */
export async function cancelPayment(t: Tx, svc: PaymentServices, ctx: Ctx, id: string): Promise<DbPayment> {
  const p = await lockPayment(t, ctx.tenant.id, id);
  return transitionPayment(t, svc, ctx, p, 'failed', {
    failure: { code: 'payment_cancelled', message: FAILURE_MESSAGES.payment_cancelled! },
    action: 'payment.cancelled',
  });
}

/**
 * The payment-process job: settles a payment left pending by async mode or a delayed test
 * instrument. A payment that moved on meanwhile (simulated, cancelled, expired) is left alone,
 * so a retried job never settles twice.
 */
export async function processPendingPayment(t: Tx, svc: PaymentServices, ctx: Ctx, id: string, random: () => number = Math.random): Promise<DbPayment | null> {
  const p = await lockPayment(t, ctx.tenant.id, id);
  if (p.status !== 'pending') return null;
  const settings = settingsOf(ctx.tenant);
  const rate = settings.auto_process.enabled ? settings.auto_process.success_rate : 1;
  const { status, changes } = settle(p.test_behaviour, { method: p.method, capture: p.capture_method, amount: Number(p.amount) }, rate, random);
  return transitionPayment(t, svc, ctx, p, status, changes);
}

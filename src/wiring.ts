import { auditJobs } from './audit/jobs.ts';
import { checkoutClockWork } from './checkout/clock.ts';
import { checkoutJobs } from './checkout/jobs.ts';
import { clockJobs } from './clock/jobs.ts';
import { completeSessionsOnPayment } from './checkout/sessions.ts';
import { WEBHOOK_FACES } from './contract/faces.ts';
import { credentialJobs } from './credentials/jobs.ts';
import { checkFraud } from './fraud/evaluate.ts';
import { cleanupJobs } from './http/jobs.ts';
import type { JobDefinition } from './jobs/workers.ts';
import { paymentClockWork } from './payments/clock.ts';
import { paymentJobs } from './payments/jobs.ts';
import { reconcileJobs } from './reconcile/jobs.ts';
import { refundJobs } from './refunds/jobs.ts';
import type { Hooks, Services } from './services.ts';
import type { ClockWork } from './tenants/clock.ts';
import { webhookClockWork } from './webhooks/clock.ts';
import { webhookJobs } from './webhooks/jobs.ts';
import { checkoutSessionOnExpiry, checkoutSessionOnPayment } from './faces/stripe/checkout-sessions.ts';
import { razorpayExpiryClockWork, razorpayJobs, razorpayPaymentMoved } from './faces/razorpay/payable.ts';
import { settlementClockWork } from './faces/razorpay/settlements.ts';
import { announceCheckpoint } from './webhooks/outbox.ts';

/**
 * Which capability reacts to which change (the one place that knows both sides of each hook),
 * the fraud check payments ask, and the gateway faces webhooks serve.
 */
export function wiring(): Pick<Services, 'hooks' | 'webhookFaces' | 'checkFraud'> {
  const hooks: Hooks = {
    // Razorpay's first: a checkout's save-card request is read from the order's sessions while they
    // are open. Then the hosted checkout completes the order's sessions; the Stripe face then tells of its own.
    paymentMoved: [razorpayPaymentMoved, completeSessionsOnPayment, checkoutSessionOnPayment],
    sessionExpired: [checkoutSessionOnExpiry],
    checkpointSigned: [announceCheckpoint],
  };
  return { hooks, webhookFaces: WEBHOOK_FACES, checkFraud };
}

/**
 * Every queue with its worker, each declared by the capability that owns the queue (its jobs.ts):
 * the runtime creates the queues from these (src/jobs/workers.ts's ensureQueues) and, in a process
 * that runs workers, starts them.
 */
export function jobDefinitions(svc: Services): JobDefinition[] {
  return [
    ...paymentJobs(svc), ...refundJobs(svc), ...checkoutJobs(svc), ...webhookJobs(svc), ...reconcileJobs(svc), ...cleanupJobs(svc), ...credentialJobs(svc),
    ...auditJobs(svc), ...clockJobs(svc, clockWork(svc)), ...razorpayJobs(svc),
  ];
}

/**
 * What falls due on a tenant's clock, each declared by the capability that schedules it (its
 * clock.ts), for a clock's advance (src/clock/). On a tie the first listed runs first: a payment
 * expires before the checkout session that waited for it. A rotated key's grace period needs no
 * work of its own: keys are checked against their tenant's clock (src/tenants/store.ts). The
 * Razorpay face's daily settlement.processed is its own work (src/faces/razorpay/settlements.ts),
 * as are the ends of its links, invoices, QR codes and virtual accounts (src/faces/razorpay/payable.ts).
 */
export function clockWork(svc: Services): ClockWork[] {
  return [paymentClockWork(svc), checkoutClockWork(svc), webhookClockWork(svc), settlementClockWork(svc), razorpayExpiryClockWork(svc)];
}

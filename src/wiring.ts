import { auditJobs } from './audit/jobs.ts';
import { checkoutJobs } from './checkout/jobs.ts';
import { completeSessionsOnPayment } from './checkout/sessions.ts';
import { WEBHOOK_FACES } from './contract/faces.ts';
import { credentialJobs } from './credentials/jobs.ts';
import { checkFraud } from './fraud/evaluate.ts';
import { cleanupJobs } from './http/jobs.ts';
import type { JobDefinition } from './jobs/workers.ts';
import { paymentJobs } from './payments/jobs.ts';
import { reconcileJobs } from './reconcile/jobs.ts';
import { refundJobs } from './refunds/jobs.ts';
import type { Hooks, Services } from './services.ts';
import { webhookJobs } from './webhooks/jobs.ts';
import { razorpayJobs, razorpayPaymentMoved } from './faces/razorpay/payable.ts';
import { announceCheckpoint } from './webhooks/outbox.ts';

/**
 * Which capability reacts to which change (the one place that knows both sides of each hook),
 * the fraud check payments ask, and the gateway faces webhooks serve.
 */
export function wiring(): Pick<Services, 'hooks' | 'webhookFaces' | 'checkFraud'> {
  const hooks: Hooks = {
    // Razorpay's first: a checkout's save-card request is read from the order's sessions while they are open.
    paymentMoved: [razorpayPaymentMoved, completeSessionsOnPayment],
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
    ...auditJobs(svc), ...razorpayJobs(svc),
  ];
}

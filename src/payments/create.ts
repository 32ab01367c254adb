import type { Tx } from '../db/pool.ts';
import { auditIn } from '../audit/append.ts';
import { badRequest, stateError } from '../core/errors.ts';
import { newId } from '../ids.ts';
import { QUEUES } from '../jobs/boss.ts';
import type { Queue } from '../jobs/workers.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { partialRange, recordAttempt } from '../orders/orders.ts';
import { lockOrder, type DbOrder } from '../orders/store.ts';
import { settingsOf, type Ctx } from '../tenants/tenants.ts';
import { emitEvents } from '../webhooks/outbox.ts';
import { bankBehaviour, resolveCard, vpaBehaviour, type Behaviour } from './instruments.ts';
import type { CreatePaymentInput } from './schemas.ts';
import { planCreation } from './outcome.ts';
import { paymentView, type DbPayment } from './payments.ts';
import type { PaymentServices } from './services.ts';
import { recordTransition, transitionPayment } from './transition.ts';
import { assertTransition } from './state-machine.ts';
import { insertPayment } from './store.ts';

/**
 * Payments left pending by async mode or a delayed test instrument, each settled by its job after
 * delay_ms (src/payments/jobs.ts); a failed settle is retried.
 */
export const PAYMENT_PROCESS: Queue = { name: QUEUES.paymentProcess, options: { retryLimit: 5, retryDelay: 1, retryBackoff: true } };

interface Instrument {
  behaviour: Behaviour;
  columns: Pick<DbPayment, 'card_brand' | 'card_last4' | 'card_bin' | 'card_exp_month' | 'card_exp_year' | 'card_fingerprint' | 'vpa' | 'bank' | 'wallet'>;
}

const NO_DETAILS: Instrument['columns'] = {
  card_brand: null, card_last4: null, card_bin: null, card_exp_month: null, card_exp_year: null, card_fingerprint: null, vpa: null, bank: null, wallet: null,
};

function resolveInstrument(tenantId: string, input: CreatePaymentInput, opts: CreateOptions): Instrument {
  switch (input.method) {
    case 'card': {
      const c = opts.storedCard ?? resolveCard(tenantId, input.card!);
      return {
        behaviour: c.behaviour === 'delayed_success' && opts.challenge3ds ? 'three_ds_challenge' : c.behaviour,
        columns: { ...NO_DETAILS, card_brand: c.brand, card_last4: c.last4, card_bin: c.bin, card_exp_month: c.exp_month, card_exp_year: c.exp_year, card_fingerprint: c.fingerprint },
      };
    }
    case 'upi':
      return { behaviour: vpaBehaviour(input.vpa!), columns: { ...NO_DETAILS, vpa: input.vpa!.toLowerCase() } };
    case 'netbanking':
      return { behaviour: bankBehaviour(input.bank!), columns: { ...NO_DETAILS, bank: input.bank! } };
    case 'wallet':
      return { behaviour: 'succeed', columns: { ...NO_DETAILS, wallet: input.wallet! } };
  }
}

type Capture = NonNullable<CreatePaymentInput['capture']>;

async function resolveAmount(t: Tx, svc: PaymentServices, ctx: Ctx, input: CreatePaymentInput): Promise<{ amount: number; currency: string; orderId: string | null; capture: Capture }> {
  if (!input.order_id) {
    if (input.amount === undefined) throw badRequest('parameter_missing', 'Missing required parameter: amount (or pass an order_id)', 'amount');
    if (input.currency === undefined) throw badRequest('parameter_missing', 'Missing required parameter: currency (or pass an order_id)', 'currency');
    return { amount: input.amount, currency: input.currency, orderId: null, capture: input.capture ?? 'automatic' };
  }
  const order = await lockOrder(t, ctx.tenant.id, input.order_id);
  if (order.status === 'paid') throw stateError('order_already_paid', `Order ${order.id} is already paid`, 'order_id');
  const amount = order.partial_payment ? partialAmount(order, input.amount) : Number(order.amount);
  if (!order.partial_payment && input.amount !== undefined && input.amount !== amount) {
    throw badRequest('amount_mismatch', `amount must equal the order amount (${order.amount}) or be omitted`, 'amount');
  }
  if (input.currency !== undefined && input.currency !== order.currency) {
    throw badRequest('currency_mismatch', `currency must equal the order currency (${order.currency}) or be omitted`, 'currency');
  }
  if (input.capture !== undefined && order.capture_method && input.capture !== order.capture_method) {
    throw badRequest('capture_mismatch', `capture must equal the order's capture setting (${order.capture_method}) or be omitted`, 'capture');
  }
  await recordAttempt(t, svc, ctx, order);
  return { amount, currency: order.currency, orderId: order.id, capture: input.capture ?? order.capture_method ?? 'automatic' };
}

/** A partial payment's amount: what was asked (default: all that is due), within the order's range. */
function partialAmount(order: DbOrder, asked: number | undefined): number {
  const range = partialRange(order)!;
  const amount = asked ?? range.due;
  if (amount > range.due) throw badRequest('amount_too_large', `amount must be at most what the order still has due (${range.due})`, 'amount');
  if (amount < range.min) throw badRequest('amount_too_small', `This payment of the order must be at least ${range.min}`, 'amount');
  return amount;
}

/**
 * Creates a payment and drives it to the outcome its test instrument (or a fraud rule, or the
 * tenant's async setting) asks for. It is born `pending` and every further move goes through
 * transitionPayment, so events and audit rows read exactly like a live payment's; an outcome
 * known at once (no fraud hit) is inserted already settled, with the same events and audit rows
 * (payment.created, then the move through recordTransition). The caller
 * checks `webhook_url` against the SSRF guard first, outside the transaction (it resolves DNS).
 */
export interface CreateOptions {
  /**
   * The hosted checkout shows the 3-D Secure test card's challenge: the payment then waits for
   * the payer (completeChallenge) instead of succeeding after delay_ms on its own.
   */
  challenge3ds?: boolean;
  /**
   * A card a face stored earlier (a Stripe PaymentMethod), paying instead of `input.card`: its
   * details and the behaviour of the test card it was made from, resolved when it was stored.
   */
  storedCard?: StoredCard;
  /**
   * How long the payment may stay authorized, counted from its creation, when the gateway face
   * that takes it has its own window (Razorpay's 3 days: CheckoutFace.authorizationWindowSeconds);
   * without it, the ledger's PAYMENT_AUTHORIZED_TTL_SECONDS from authorization (Stripe's 7 days).
   */
  authorizationWindowSeconds?: number | undefined;
}

export interface StoredCard {
  behaviour: Behaviour;
  brand: string;
  last4: string;
  bin: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
}

export async function createPayment(t: Tx, svc: PaymentServices, ctx: Ctx, input: CreatePaymentInput, opts: CreateOptions = {}): Promise<DbPayment> {
  const instrument = resolveInstrument(ctx.tenant.id, input, opts);
  const { amount, currency, orderId, capture } = await resolveAmount(t, svc, ctx, input);
  const fraud = await svc.checkFraud(t, svc, ctx, {
    tenantId: ctx.tenant.id,
    amount,
    currency,
    method: input.method,
    customerEmail: input.customer_email ?? null,
    billingCountry: input.billing?.country ?? null,
    cardFingerprint: instrument.columns.card_fingerprint,
    cardBin: instrument.columns.card_bin,
  });

  const plan = planCreation(instrument.behaviour, { method: input.method, capture, amount }, fraud, settingsOf(ctx.tenant));
  // When the outcome is known now and needs no fraud record, the row is inserted already in its
  // final state (one statement instead of INSERT pending + UPDATE); the events and audit rows are
  // written exactly as for a pending insert followed by transitionPayment.
  const settledNow = plan.kind === 'settle' && !plan.settlement.changes.fraud ? plan.settlement : null;
  if (settledNow) assertTransition('pending', settledNow.status);
  const { pending_expires_at: pendingExpiresAt, ...row } = await insertPayment(t, {
    id: newId('payment'), tenantId: ctx.tenant.id, orderId, amount, currency, method: input.method, instrument: instrument.columns,
    behaviour: instrument.behaviour, capture, description: input.description ?? null, metadata: input.metadata ?? {},
    customerEmail: input.customer_email ?? null, customerContact: input.customer_contact ?? null, billingCountry: input.billing?.country ?? null, webhookUrl: input.webhook_url ?? null,
    status: settledNow?.status ?? 'pending', failure: settledNow?.changes.failure ?? null, amountCaptured: settledNow?.changes.amountCaptured ?? null,
    pendingTtlSeconds: svc.config.payments.pendingTtlSeconds, authorizedTtlSeconds: svc.config.payments.authorizedTtlSeconds,
    authorizationWindowSeconds: opts.authorizationWindowSeconds ?? null,
  });
  // The payment as it was born (pending), for payment.created: what the INSERT would have returned.
  const created: DbPayment = settledNow
    ? { ...row, status: 'pending', amount_captured: '0', failure_code: null, failure_message: null, authorized_at: null, captured_at: null, expires_at: pendingExpiresAt }
    : row;
  // What it waits for, which its object (pending) does not say: a face may name it by that (Stripe's payment_intent.requires_action).
  const awaits = plan.kind === 'settle' ? 'nothing' : instrument.behaviour === 'three_ds_challenge' ? 'three_ds_challenge' : 'processing';
  emitEvents(t, svc, ctx, [{ type: 'payment.created', object: paymentView(created), paymentId: created.id, awaits }]);
  auditIn(t, svc, ctx, {
    objectType: 'payment',
    objectId: created.id,
    action: 'payment.created',
    newStatus: 'pending',
    metadata: { amount, currency, method: input.method, behaviour: instrument.behaviour },
  });

  if (settledNow) {
    await recordTransition(t, svc, ctx, 'pending', row, settledNow.status, settledNow.changes);
    return row;
  }
  if (plan.kind === 'settle') {
    return transitionPayment(t, svc, ctx, created, plan.settlement.status, plan.settlement.changes);
  }
  if (plan.processAfterMs !== null) {
    await enqueue(t, svc.boss, PAYMENT_PROCESS, [
      { data: { paymentId: created.id }, startAfter: new Date(Date.now() + plan.processAfterMs) },
    ]);
  }
  return created;
}

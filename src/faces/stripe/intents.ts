import { randomBase62 } from '../../ids.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { createOrder, repriceOrder, updateOrderMetadata, type DbOrder } from '../../orders/orders.ts';
import { ordersByIds } from '../../orders/store.ts';
import { cancelPayment, capturePayment } from '../../payments/actions.ts';
import { createPayment } from '../../payments/create.ts';
import type { DbPayment } from '../../payments/payments.ts';
import { paymentsOfOrders } from '../../payments/store.ts';
import { badRequest } from '../../core/errors.ts';
import { Refusal } from '../../routing/route.ts';
import type { Ctx, Services } from '../../services.ts';
import { chargeOfIntent, declineOf, intentStatus, paymentIntentObject, paymentMethodObject, stringMap, type IntentParts } from './entities.ts';
import { requireCustomer } from './customers.ts';
import { CardError, noSuch, unexpectedState } from './errors.ts';
import { orderRow } from './ledger.ts';
import { ledgerId, stripeId } from './ids.ts';
import { checkMethodCustomer, paymentMethodFor } from './payment-methods.ts';
import { mergeMetadata, type MetadataPatch } from './schemas.ts';
import { cancelIntentRow, findIntent, insertIntent, pageIntents, updateIntent, type DbIntent, type IntentFields } from './store.ts';
import { withCursors } from './cursors.ts';

/**
 * PaymentIntents over the ledger: an intent is an order (amount, currency, capture method,
 * metadata) plus the fields only Stripe has (store.ts); each confirmation is a payment of that
 * order, so the one-capture-per-order rule, fraud rules, events, audit and webhooks are the
 * ledger's own. Its status is read from its latest payment (entities.ts).
 */

export interface IntentInput {
  payment_method?: string | undefined;
  customer?: string | undefined;
  description?: string | undefined;
  receipt_email?: string | undefined;
  setup_future_usage?: string | undefined;
  statement_descriptor?: string | undefined;
  return_url?: string | undefined;
}

type Answer = IntentParts | Refusal;

/**
 * The PaymentIntent `pi_…` is: any order of the tenant (whichever face or page made it), with the
 * fields Stripe's API gave it. An order made elsewhere has Stripe's defaults, and a write through
 * this face (`adopt`, its transaction) gives it its row first; another tenant's is Stripe's 404.
 */
export async function loadIntent(db: Queryable, tenantId: string, piId: string, baseUrl: string, opts: { lock?: boolean; param?: string; adopt?: Tx } = {}): Promise<IntentParts> {
  const orderId = ledgerId('pi', piId);
  if (!orderId) throw noSuch('payment_intent', piId, opts.param ?? 'intent');
  const [found, order, payments] = await Promise.all([
    findIntent(db, tenantId, orderId, opts.lock),
    orderRow(db, tenantId, piId, opts.param ?? 'intent'),
    paymentsOfOrders(db, tenantId, [orderId]),
  ]);
  const intent = found ?? (opts.adopt ? await insertIntent(opts.adopt, { ...defaultsOf(order), client_secret: newClientSecret(order.id) }) : { ...defaultsOf(order), client_secret: '' });
  return { intent, order, payments, baseUrl };
}

/** Stripe's smallest charge per currency (in its smallest unit); others take 1. */
const MINIMUM: Record<string, number> = { USD: 50, EUR: 50, GBP: 30, JPY: 50, CAD: 50, AUD: 50, CHF: 50, SGD: 50, INR: 50, HKD: 400, MXN: 1000 };

export function checkAmount(amount: number, currency: string, param = 'amount') {
  const min = MINIMUM[currency] ?? 1;
  if (amount < min) throw badRequest('amount_too_small', `Amount must be at least ${min} ${currency.toLowerCase()} in its smallest unit`, param);
  if (amount > 99_999_999) throw badRequest('amount_too_large', 'Amount must be no more than 99999999 in its smallest unit', param);
}

const newClientSecret = (orderId: string) => `${stripeId('pi', orderId)}_secret_${randomBase62(24)}`;

/** What an order made without Stripe's API is as a PaymentIntent. */
function defaultsOf(order: DbOrder): Omit<DbIntent, 'client_secret'> {
  return {
    id: order.id, tenant_id: order.tenant_id, payment_method: null, payment_method_set_at: null, customer: null, description: null, receipt_email: null,
    capture_method: order.capture_method ?? 'automatic', confirmation_method: 'automatic', setup_future_usage: null, statement_descriptor: null, return_url: null,
    payment_method_types: ['card'], canceled_at: null, cancellation_reason: null, created_at: order.created_at, updated_at: order.updated_at,
  };
}

/** Many intents at once, in the given order: three queries whatever their number. */
export async function loadIntents(db: Queryable, tenantId: string, intents: DbIntent[], baseUrl: string): Promise<IntentParts[]> {
  const ids = intents.map((i) => i.id);
  const [orders, payments] = await Promise.all([ordersByIds(db, tenantId, ids), paymentsOfOrders(db, tenantId, ids)]);
  const orderOf = new Map(orders.map((o) => [o.id, o] as const));
  return intents.map((intent) => ({ intent, order: orderOf.get(intent.id)!, payments: payments.filter((p) => p.order_id === intent.id), baseUrl }));
}

export async function listIntents(
  db: Queryable, tenantId: string, baseUrl: string,
  q: { limit: number; customer?: string | undefined; createdFrom?: Date | undefined; createdTo?: Date | undefined; startingAfter?: string | undefined; endingBefore?: string | undefined },
) {
  const page = await withCursors('payment_intent', q, (id) => ledgerId('pi', id), (cursors) => pageIntents(db, tenantId, q, { limit: q.limit, ...cursors }));
  return { parts: await loadIntents(db, tenantId, page.data, baseUrl), hasMore: page.has_more };
}

export async function createIntent(
  t: Tx, svc: Services, ctx: Ctx, baseUrl: string,
  input: IntentInput & { amount: number; currency: string; capture_method: DbIntent['capture_method']; confirmation_method: DbIntent['confirmation_method']; metadata?: MetadataPatch | undefined; payment_method_types: string[]; confirm: boolean },
): Promise<Answer> {
  if (input.customer !== undefined) await requireCustomer(t, ctx.tenant.id, input.customer);
  const order = await createOrder(t, svc, ctx, {
    amount: input.amount, currency: input.currency, metadata: mergeMetadata({}, input.metadata), capture_method: input.capture_method === 'manual' ? 'manual' : 'automatic',
  });
  const pm = input.payment_method !== undefined ? await paymentMethodFor(t, ctx.tenant.id, input.payment_method) : undefined;
  if (pm) checkMethodCustomer(pm, input.customer ?? null);
  await insertIntent(t, {
    id: order.id, tenant_id: ctx.tenant.id, client_secret: newClientSecret(order.id),
    capture_method: input.capture_method, confirmation_method: input.confirmation_method, payment_method_types: input.payment_method_types,
    ...fieldsOf(input), payment_method: pm?.id ?? null,
  });
  const pi = stripeId('pi', order.id);
  if (input.confirm) return confirmIntent(t, svc, ctx, baseUrl, pi, {});
  return loadIntent(t, ctx.tenant.id, pi, baseUrl);
}

/**
 * The PaymentIntent a Checkout Session's order will be (Stripe's payment_intent_data): its row now,
 * so the customer and capture method are the intent's when the page pays it.
 */
export function insertCheckoutIntent(t: Tx, tenantId: string, orderId: string, input: IntentInput & { capture_method: DbIntent['capture_method'] }): Promise<DbIntent> {
  return insertIntent(t, {
    id: orderId, tenant_id: tenantId, client_secret: newClientSecret(orderId), capture_method: input.capture_method, confirmation_method: 'automatic',
    payment_method_types: ['card'], ...fieldsOf(input), payment_method: null,
  });
}

const fieldsOf = (input: IntentInput): Omit<IntentFields, 'payment_method'> => ({
  customer: input.customer ?? null, description: input.description ?? null, receipt_email: input.receipt_email ?? null,
  setup_future_usage: input.setup_future_usage ?? null, statement_descriptor: input.statement_descriptor ?? null, return_url: input.return_url ?? null,
});

export async function updateIntentFields(t: Tx, svc: Services, ctx: Ctx, baseUrl: string, piId: string, input: IntentInput & { metadata?: MetadataPatch | undefined; amount?: number | undefined; currency?: string | undefined }): Promise<IntentParts> {
  const parts = await loadIntent(t, ctx.tenant.id, piId, baseUrl, { lock: true, adopt: t });
  const status = intentStatus(parts.intent, parts.payments);
  if (status === 'canceled' || status === 'succeeded') {
    throw unexpectedState('payment_intent_unexpected_state', `This PaymentIntent's status is ${status}, so it cannot be updated.`);
  }
  if (input.customer !== undefined) await requireCustomer(t, ctx.tenant.id, input.customer);
  if (input.payment_method !== undefined && status !== 'requires_payment_method' && status !== 'requires_confirmation') {
    // The open attempt was made with the method it has: another would not be the one that paid.
    throw unexpectedState('payment_intent_unexpected_state', `You cannot update this PaymentIntent's payment_method because it has a status of ${status}.`, 'payment_method');
  }
  if ((input.amount !== undefined || input.currency !== undefined) && status !== 'requires_payment_method' && status !== 'requires_confirmation') {
    throw unexpectedState('payment_intent_unexpected_state', `You cannot update this PaymentIntent's amount or currency because it has a status of ${status}.`, input.amount !== undefined ? 'amount' : 'currency');
  }
  const pm = input.payment_method !== undefined ? await paymentMethodFor(t, ctx.tenant.id, input.payment_method) : undefined;
  if (pm) checkMethodCustomer(pm, input.customer ?? parts.intent.customer);
  if (input.amount !== undefined || input.currency !== undefined) {
    await repriceOrder(t, svc, ctx, parts.order.id, input.amount ?? Number(parts.order.amount), input.currency ?? parts.order.currency);
  }
  const patch: Partial<IntentFields> = {
    ...Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k !== 'metadata' && k !== 'payment_method' && k !== 'amount' && k !== 'currency')),
    ...(pm ? { payment_method: pm.id } : {}),
  };
  if (Object.keys(patch).length > 0) await updateIntent(t, parts.intent.id, patch);
  if (input.metadata !== undefined) await updateOrderMetadata(t, svc, ctx, parts.order.id, mergeMetadata(parts.order.notes, input.metadata));
  return loadIntent(t, ctx.tenant.id, piId, baseUrl);
}

/**
 * Confirms: pays the order with the intent's payment method (or the one given) as a new payment.
 * A decline is committed (the failed charge, the intent back to requires_payment_method) and
 * answered as Stripe's 402 card error; 3-D Secure leaves the intent requires_action.
 */
export async function confirmIntent(t: Tx, svc: Services, ctx: Ctx, baseUrl: string, piId: string, input: { payment_method?: string | undefined; return_url?: string | undefined; receipt_email?: string | undefined; capture_method?: DbIntent['capture_method'] | undefined }): Promise<Answer> {
  const parts = await loadIntent(t, ctx.tenant.id, piId, baseUrl, { lock: true, adopt: t });
  if (input.capture_method !== undefined && input.capture_method !== parts.intent.capture_method) {
    // The order's capture setting is fixed when it is made (one rule for every face).
    throw badRequest('parameter_invalid', `capture_method is ${parts.intent.capture_method} for this PaymentIntent; Sandpay takes it when the PaymentIntent is created`, 'capture_method');
  }
  const status = intentStatus(parts.intent, parts.payments);
  if (status !== 'requires_payment_method' && status !== 'requires_confirmation') {
    throw unexpectedState('payment_intent_unexpected_state', `You cannot confirm this PaymentIntent because it has a status of ${status}.`);
  }
  const ref = input.payment_method ?? parts.intent.payment_method;
  if (!ref) {
    throw badRequest('payment_intent_unexpected_state', "You cannot confirm this PaymentIntent because it's missing a payment method. Update it with a payment_method, or confirm with one.", 'payment_method');
  }
  const pm = await paymentMethodFor(t, ctx.tenant.id, ref);
  checkMethodCustomer(pm, parts.intent.customer);
  await updateIntent(t, parts.intent.id, {
    payment_method: pm.id,
    ...(input.return_url !== undefined ? { return_url: input.return_url } : {}),
    ...(input.receipt_email !== undefined ? { receipt_email: input.receipt_email } : {}),
  });
  const payment = await createPayment(
    t, svc, ctx,
    {
      order_id: parts.order.id, method: 'card', description: parts.intent.description ?? undefined, customer_email: input.receipt_email ?? parts.intent.receipt_email ?? undefined,
      // Stripe copies a PaymentIntent's metadata onto its Charge; the payment's events carry it to webhooks.
      metadata: stringMap(parts.order.notes),
    },
    { storedCard: pm, challenge3ds: true },
  );
  const after = await loadIntent(t, ctx.tenant.id, piId, baseUrl);
  if (payment.status === 'failed' || payment.status === 'flagged') return new Refusal(cardError(after, payment, paymentMethodObject(pm)));
  return after;
}

function cardError(parts: IntentParts, payment: DbPayment, paymentMethod: Record<string, unknown>): CardError {
  const d = declineOf(payment);
  return new CardError(d.code, d.message, {
    ...(d.decline_code ? { decline_code: d.decline_code } : {}),
    charge: stripeId('ch', payment.id),
    payment_intent: paymentIntentObject(parts) as { object: string; id: string },
    payment_method: paymentMethod as { object: string; id: string },
  });
}

export async function captureIntent(t: Tx, svc: Services, ctx: Ctx, baseUrl: string, piId: string, input: { amount_to_capture?: number | undefined; metadata?: MetadataPatch | undefined }): Promise<IntentParts> {
  const parts = await loadIntent(t, ctx.tenant.id, piId, baseUrl, { lock: true, adopt: t });
  const latest = chargeOfIntent(parts.payments);
  const status = intentStatus(parts.intent, parts.payments);
  if (status !== 'requires_capture' || !latest) {
    throw unexpectedState('payment_intent_unexpected_state', `This PaymentIntent could not be captured because it has a status of ${status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`);
  }
  if (input.amount_to_capture !== undefined && input.amount_to_capture > Number(latest.amount)) {
    throw badRequest('amount_too_large', `The amount_to_capture (${input.amount_to_capture}) is greater than the amount capturable (${latest.amount}).`, 'amount_to_capture');
  }
  await capturePayment(t, svc, ctx, latest.id, input.amount_to_capture);
  if (input.metadata !== undefined) await updateOrderMetadata(t, svc, ctx, parts.order.id, mergeMetadata(parts.order.notes, input.metadata));
  return loadIntent(t, ctx.tenant.id, piId, baseUrl);
}

const CANCELABLE = new Set(['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing']);

export async function cancelIntent(t: Tx, svc: Services, ctx: Ctx, baseUrl: string, piId: string, reason: string | undefined): Promise<IntentParts> {
  const parts = await loadIntent(t, ctx.tenant.id, piId, baseUrl, { lock: true, adopt: t });
  const status = intentStatus(parts.intent, parts.payments);
  if (!CANCELABLE.has(status)) {
    throw unexpectedState('payment_intent_unexpected_state', `You cannot cancel this PaymentIntent because it has a status of ${status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`);
  }
  // Authorizations (and payments still waiting) are released with the intent.
  for (const p of parts.payments) if (p.status === 'authorized' || p.status === 'pending') await cancelPayment(t, svc, ctx, p.id);
  await cancelIntentRow(t, parts.intent.id, reason ?? null);
  return loadIntent(t, ctx.tenant.id, piId, baseUrl);
}


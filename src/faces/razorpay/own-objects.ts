import { z } from 'zod';
import { MAX_AMOUNT } from '../../core/schemas.ts';
import type { RequestContext } from '../../core/context.ts';
import type { Tx } from '../../db/pool.ts';
import type { ApiObject } from '../../events/types.ts';
import { emitEvents, type OutboxServices } from '../../webhooks/outbox.ts';
import { razorpayHttpFace } from './http-face.ts';
import { listQuery, notesInput } from './schemas.ts';

/**
 * What Razorpay's own objects (customers, tokens, items, payment links, invoices, QR codes,
 * settlements) share: unix seconds, notes, list parameters, and their webhook events.
 */

export const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** Razorpay answers empty notes as [] (a PHP empty array). */
export const notesOut = (m: Record<string, unknown> | undefined | null) => (!m || Object.keys(m).length === 0 ? [] : m);

export const notesField = notesInput.optional();

/** A Razorpay boolean flag: 1/0, "1"/"0", true/false. */
export const flag = z.union([z.literal(0), z.literal(1), z.literal('0'), z.literal('1'), z.boolean()]).transform((v) => v === 1 || v === '1' || v === true);

/** Unix seconds as a number or digit string. */
export const unixInput = z.preprocess((v) => (typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : v), z.number({ error: 'must be a unix timestamp' }).int().positive());

/** Razorpay's lists take count/skip/from/to; these also take the filters their resource documents. */
export const ownListQuery = <S extends z.ZodRawShape>(extra: S) => z.strictObject({ ...listQuery, ...extra });

/** An entity as a webhook payload carries it. */
export type Entities = Record<string, Record<string, unknown>>;

/** Webhook events of Razorpay's own objects, by Razorpay's names. */
export const OWN_EVENTS = [
  'payment_link.paid', 'payment_link.partially_paid', 'payment_link.expired', 'payment_link.cancelled',
  'invoice.paid', 'invoice.partially_paid', 'invoice.expired',
  'qr_code.created', 'qr_code.credited', 'qr_code.closed',
  'virtual_account.created', 'virtual_account.credited', 'virtual_account.closed',
  'payment.dispute.created', 'payment.dispute.under_review', 'payment.dispute.won', 'payment.dispute.lost', 'payment.dispute.closed',
  'settlement.processed',
] as const;
export type OwnEvent = (typeof OWN_EVENTS)[number];

/** The object an own event is kept as: its main entity's id and the entities its payload carries, in order. */
export interface OwnEventObject extends ApiObject {
  object: 'razorpay.payload';
  id: string;
  entities: Entities;
}

export const isOwnEventObject = (o: ApiObject): o is OwnEventObject => o.object === 'razorpay.payload' && typeof o.entities === 'object';

/** Raises one of the face's own events in the writer's transaction (the outbox: deliveries, retries, replay). */
export function raiseOwn(t: Tx, svc: OutboxServices, ctx: RequestContext, type: OwnEvent, id: string, entities: Entities): void {
  const object: OwnEventObject = { object: 'razorpay.payload', id, entities };
  emitEvents(t, svc, ctx, [{ face: razorpayHttpFace.name, type, object, paymentId: null }]);
}

/** Razorpay's integer amounts in paise, as numbers or digit strings; its smallest is ₹1 (100 paise). */
export const paiseInput = (what = 'amount') =>
  z.preprocess((v) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v), z
    .number({ error: `The ${what} must be an integer.` })
    .refine((n) => Number.isInteger(n), { message: `The ${what} must be an integer.`, abort: true })
    .min(100, `The ${what} must be atleast INR 1.00`)
    .max(MAX_AMOUNT, `The ${what} may not be greater than ${MAX_AMOUNT}.`));

/** Who a link or invoice is for, as its payer sees it (a customer's details, or given inline). */
export const payerInput = z.strictObject({
  name: z.string().trim().max(100).optional(),
  email: z.email('The email must be a valid email address.').max(254).optional(),
  contact: z.string().regex(/^\+?[0-9]{8,15}$/, 'The contact format is invalid.').optional(),
});
export type Payer = z.output<typeof payerInput>;


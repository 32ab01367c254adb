import { z } from 'zod';
import { currencySchema, MAX_AMOUNT, metadataSchema, timestampQuerySchema } from '../../core/schemas.ts';
import { METHODS } from '../../payments/schemas.ts';
import { RAZORPAY_PAYMENT_STATUSES } from './status.ts';

/**
 * Razorpay's shapes for the /v1 face: entities as Razorpay's API documents them (amounts in
 * paise, `created_at` in unix seconds, `notes`), its request bodies and its list parameters.
 */

/** How deep `skip` may page: past it, narrow the list with from/to. OFFSET never scans more than SKIP_MAX + count rows. */
export const SKIP_MAX = 10_000;
export const COUNT_MAX = 100;

const unixSeconds = z.number().int();
const nullableString = z.string().nullable();

/** Razorpay answers empty notes as `[]` (a PHP empty array), filled ones as an object. */
export const notesObject = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()).max(0)]);

export const notesInput = metadataSchema.refine((m) => Object.keys(m).length <= 15, 'Number of fields in notes should be less than or equal to 15');

/** Razorpay takes amounts as numbers or digit strings (its API also takes form posts); both mean paise. */
const digits = (v: unknown) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v);

/** Razorpay's integer amounts in paise; its smallest order or refund is ₹1 (100 paise). */
const paise = (what: string) =>
  z.preprocess(digits, z
    .number({ error: `The ${what} must be an integer.` })
    .refine((n) => Number.isInteger(n), { message: `The ${what} must be an integer.`, abort: true })
    .min(100, `The ${what} must be atleast INR 1.00`)
    .max(MAX_AMOUNT, `The ${what} may not be greater than ${MAX_AMOUNT}.`));

export const rzpOrderObject = z
  .strictObject({
    id: z.string(),
    entity: z.literal('order'),
    amount: z.number().int(),
    amount_paid: z.number().int(),
    amount_due: z.number().int(),
    currency: z.string(),
    receipt: nullableString,
    offer_id: z.null(),
    status: z.enum(['created', 'attempted', 'paid']),
    attempts: z.number().int(),
    notes: notesObject,
    created_at: unixSeconds,
  })
  .meta({ id: 'RazorpayOrder' });

export const rzpCardObject = z.strictObject({
  id: nullableString,
  entity: z.literal('card'),
  name: nullableString,
  last4: nullableString,
  network: nullableString,
  type: z.string(),
  issuer: nullableString,
  international: z.boolean(),
  emi: z.boolean(),
});

export const rzpPaymentObject = z
  .strictObject({
    id: z.string(),
    entity: z.literal('payment'),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(RAZORPAY_PAYMENT_STATUSES),
    order_id: nullableString,
    invoice_id: z.null(),
    international: z.boolean(),
    method: z.enum(METHODS),
    amount_refunded: z.number().int(),
    refund_status: z.enum(['partial', 'full']).nullable(),
    captured: z.boolean(),
    description: nullableString,
    card_id: nullableString,
    card: rzpCardObject.optional(),
    bank: nullableString,
    wallet: nullableString,
    vpa: nullableString,
    email: nullableString,
    contact: nullableString,
    notes: notesObject,
    fee: z.number().int().nullable(),
    tax: z.number().int().nullable(),
    error_code: nullableString,
    error_description: nullableString,
    error_source: nullableString,
    error_step: nullableString,
    error_reason: nullableString,
    acquirer_data: z.record(z.string(), z.unknown()),
    created_at: unixSeconds,
  })
  .meta({ id: 'RazorpayPayment' });

export const rzpRefundObject = z
  .strictObject({
    id: z.string(),
    entity: z.literal('refund'),
    amount: z.number().int(),
    currency: z.string(),
    payment_id: z.string(),
    notes: notesObject,
    receipt: nullableString,
    acquirer_data: z.strictObject({ arn: z.null() }),
    created_at: unixSeconds,
    batch_id: z.null(),
    status: z.enum(['pending', 'processed', 'failed']),
    speed_processed: z.literal('normal'),
    speed_requested: z.enum(['normal', 'optimum']),
  })
  .meta({ id: 'RazorpayRefund' });

export type RzpOrder = z.output<typeof rzpOrderObject>;
export type RzpPayment = z.output<typeof rzpPaymentObject>;
export type RzpRefund = z.output<typeof rzpRefundObject>;

/** Razorpay's list envelope. */
export function collectionOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ entity: z.literal('collection'), count: z.number().int(), items: z.array(item) });
}

export const listQuery = {
  count: z.coerce.number().int().min(1).max(COUNT_MAX).default(10).meta({ description: `Items per page, 1..${COUNT_MAX} (default 10)` }),
  skip: z.coerce
    .number()
    .int()
    .min(0)
    .max(SKIP_MAX, `skip must be at most ${SKIP_MAX}; narrow the list with from and to instead`)
    .default(0)
    .meta({ description: `Items to skip, 0..${SKIP_MAX}` }),
  from: timestampQuerySchema.optional().meta({ description: 'Created at or after (unix seconds)' }),
  to: timestampQuerySchema.optional().meta({ description: 'Created at or before (unix seconds)' }),
};

/** What every Razorpay list takes (count/skip paging, from/to), as parsed. */
export const collectionQuery = z.strictObject(listQuery);
export type CollectionQuery = z.infer<typeof collectionQuery>;

export const listOrdersQuery = z.strictObject({
  ...listQuery,
  receipt: z.string().max(40).optional(),
  authorized: z.enum(['0', '1', 'true', 'false']).optional().meta({ description: '1: orders with an authorized or captured payment; 0: without' }),
});
export type ListOrdersQuery = z.infer<typeof listOrdersQuery>;

export const createOrderBody = z.strictObject({
  amount: paise('amount'),
  currency: currencySchema,
  receipt: z.string().max(40, 'receipt may not be greater than 40 characters.').optional(),
  notes: notesInput.optional(),
  partial_payment: z.literal(false, { error: 'Partial payments are not supported by Sandpay' }).optional(),
  /** 1/true: checkout captures the payment; 0/false: it stays authorized until captured (POST /payments/:id/capture). */
  payment_capture: z.union([z.literal(0), z.literal(1), z.boolean()]).optional(),
  /** The newer spelling of the same setting; capture_options (auto-capture timeouts) are accepted and not simulated. */
  payment: z.strictObject({ capture: z.enum(['automatic', 'manual']), capture_options: z.record(z.string(), z.unknown()).optional() }).optional(),
});

/** The capture method an order's checkout payments get, from either spelling. */
export function captureMethodOf(body: { payment_capture?: 0 | 1 | boolean | undefined; payment?: { capture: 'automatic' | 'manual' } | undefined }) {
  if (body.payment) return body.payment.capture;
  if (body.payment_capture === undefined) return undefined;
  return body.payment_capture === 0 || body.payment_capture === false ? 'manual' : 'automatic';
}

export const notesBody = z.strictObject({ notes: notesInput });

export const captureBody = z.strictObject({
  amount: z.preprocess(digits, z.number({ error: 'The amount must be an integer.' }).int('The amount must be an integer.').min(1)),
  currency: currencySchema.optional(),
});

export const refundBody = z.strictObject({
  amount: paise('refund amount').optional(),
  speed: z.enum(['normal', 'optimum']).optional(),
  notes: notesInput.optional(),
  receipt: z.string().max(40, 'receipt may not be greater than 40 characters.').optional(),
});

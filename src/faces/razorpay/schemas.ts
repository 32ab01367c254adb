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

/** Notes as sent: an object of at most 15 fields, or `[]` (empty notes as Razorpay writes them, echoed back by clients). */
export const notesInput = z.preprocess(
  (v) => (Array.isArray(v) && v.length === 0 ? {} : v),
  metadataSchema.refine((m) => Object.keys(m).length <= 15, 'Number of fields in notes should be less than or equal to 15'),
);

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
    /** With expand[]=payments: the order's payments, oldest first. */
    payments: z.lazy(() => collectionOf(rzpPaymentObject)).optional(),
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
  sub_type: z.enum(['consumer', 'business']),
  token_iin: nullableString,
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
    speed_processed: z.enum(['normal', 'instant']),
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

/**
 * `expand[]=card` as Razorpay documents it, and as the SDK's axios sends it (`expand[expand]=card`,
 * several as `expand[expand][0]=card&expand[expand][1]=emi`, or `expand[0]=…`).
 */
const INDEXED_EXPAND = /^expand(\[expand\])?\[[0-9]\]$/;

const expandValue = <E extends readonly [string, ...string[]]>(allowed: E) => {
  const one = z.enum(allowed, { error: `expand may only be ${allowed.join(', ')}` });
  return z.union([one, z.array(one).max(4)]).optional();
};

/**
 * A list or fetch query with Razorpay's expansions: the named fields, `expand[]` and
 * `expand[expand]`, and the indexed spellings; any other parameter is refused as unknown.
 */
export function withExpand<const E extends readonly [string, ...string[]], S extends z.ZodRawShape>(allowed: E, shape: S) {
  const value = expandValue(allowed);
  return z
    .object({ ...shape, 'expand[]': value, 'expand[expand]': value })
    .catchall(z.unknown())
    .superRefine((v, ctx) => {
      const known = new Set([...Object.keys(shape), 'expand[]', 'expand[expand]']);
      const unknown = Object.keys(v).filter((k) => !known.has(k) && !INDEXED_EXPAND.test(k));
      if (unknown.length > 0) ctx.addIssue({ code: 'unrecognized_keys', keys: unknown, input: v });
      for (const k of Object.keys(v).filter((x) => INDEXED_EXPAND.test(x))) {
        const checked = value.safeParse(v[k]);
        if (!checked.success) ctx.addIssue({ code: 'custom', path: [k], message: checked.error.issues[0]!.message, input: v[k] });
      }
    });
}

/** The expansions a query asks for, however it spelled them. */
export function expansionsOf(q: Record<string, unknown>): Set<string> {
  return new Set(Object.keys(q).filter((k) => k === 'expand[]' || k === 'expand[expand]' || INDEXED_EXPAND.test(k)).flatMap((k) => [q[k] ?? []].flat() as string[]));
}

/** Payments' expansions: a card payment always shows its card, and no payment here is an EMI one, so both change nothing. */
export const PAYMENT_EXPANSIONS = ['card', 'emi'] as const;
/** Orders' expansions: their payments, with their cards (always shown). */
export const ORDER_EXPANSIONS = ['payments', 'payments.card'] as const;

/** What every Razorpay list takes (count/skip paging, from/to), as parsed. */
export const collectionQuery = z.strictObject(listQuery);
export type CollectionQuery = z.infer<typeof collectionQuery>;

export const listPaymentsQuery = withExpand(PAYMENT_EXPANSIONS, listQuery);

export const listOrdersQuery = withExpand(ORDER_EXPANSIONS, {
  ...listQuery,
  receipt: z.string().max(40).optional(),
  authorized: z.enum(['0', '1', 'true', 'false']).optional().meta({ description: '1: orders with an authorized or captured payment; 0: without' }),
});
export type ListOrdersQuery = z.infer<typeof listOrdersQuery>;

/** A boolean as Razorpay's PHP reads one: true/false, 1/0, and the same as strings ("1", "true"). */
const flag = (field: string) =>
  z.preprocess(
    (v) => (v === 1 || v === '1' || v === 'true' ? true : v === 0 || v === '0' || v === 'false' ? false : v),
    z.boolean({ error: `The ${field} field must be true or false.` }),
  );

export const createOrderBody = z
  .strictObject({
    amount: paise('amount'),
    currency: currencySchema,
    receipt: z.string().max(40, 'receipt may not be greater than 40 characters.').optional(),
    notes: notesInput.optional(),
    /** true: an order with this receipt already is refused. */
    unique_receipt: flag('unique receipt').optional(),
    /** true: payments may each pay part of it; it is `attempted` until they add up to its amount, then `paid`. */
    partial_payment: flag('partial payment').optional(),
    first_payment_min_amount: paise('first payment min amount').optional(),
    /** Accepted as Razorpay takes them; the order entity shows none of them. */
    customer_id: z.string().regex(/^cust_[0-9A-Za-z]{14}$/, 'customer_id is not a valid id').optional(),
    method: z.enum(['card', 'netbanking', 'upi', 'wallet', 'emandate', 'nach'], { error: 'Invalid method' }).optional(),
    line_items_total: z.preprocess(digits, z.number({ error: 'The line items total must be an integer.' }).int().min(0).max(MAX_AMOUNT)).optional(),
    /** 1/true: checkout captures the payment; 0/false: it stays authorized until captured (POST /payments/:id/capture). */
    payment_capture: flag('payment capture').optional(),
    /** The newer spelling of the same setting; capture_options (auto-capture timeouts) are accepted and not simulated. */
    payment: z.strictObject({ capture: z.enum(['automatic', 'manual']), capture_options: z.record(z.string(), z.unknown()).optional() }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.first_payment_min_amount !== undefined && v.partial_payment !== true) {
      ctx.addIssue({ code: 'custom', path: ['first_payment_min_amount'], message: 'first_payment_min_amount is/are not required and should not be sent' });
    }
    if (v.first_payment_min_amount !== undefined && v.first_payment_min_amount > v.amount) {
      ctx.addIssue({ code: 'custom', path: ['first_payment_min_amount'], message: 'The first payment min amount may not be greater than the amount.' });
    }
  });

/** The capture method an order's checkout payments get, from either spelling. */
export function captureMethodOf(body: { payment_capture?: boolean | undefined; payment?: { capture: 'automatic' | 'manual' } | undefined }) {
  if (body.payment) return body.payment.capture;
  if (body.payment_capture === undefined) return undefined;
  return body.payment_capture ? 'automatic' : 'manual';
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

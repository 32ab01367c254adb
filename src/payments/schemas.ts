import { z } from 'zod';
import { amountSchema, currencySchema, isoTime, MAX_AMOUNT, metadataSchema, pageQuery, timestampQuerySchema } from '../core/schemas.ts';
import { webhookUrlSchema } from '../webhooks/schemas.ts';
import { PAYMENT_STATUSES } from './state-machine.ts';

export const METHODS = ['card', 'upi', 'netbanking', 'wallet'] as const;
export const WALLETS = ['paytm', 'phonepe', 'amazonpay', 'mobikwik', 'freecharge', 'airtelmoney', 'googlepay', 'applepay'] as const;

const METHOD_FIELD = { card: 'card', upi: 'vpa', netbanking: 'bank', wallet: 'wallet' } as const;

export const cardSchema = z.strictObject({
  number: z.string().min(1).max(30).meta({ example: '4242424242424242' }),
  exp_month: z.number().int().min(1).max(12),
  exp_year: z.number().int().min(2000).max(2100),
  cvc: z.string().min(1).max(4),
});

export const createPaymentSchema = z
  .strictObject({
    order_id: z.string().min(1).max(100).optional(),
    amount: amountSchema.optional(),
    currency: currencySchema.optional(),
    method: z.enum(METHODS),
    card: cardSchema.optional(),
    vpa: z.string().max(256).regex(/^[a-zA-Z0-9._-]{2,200}@[a-zA-Z][a-zA-Z0-9]{1,50}$/, 'must look like name@bank').optional(),
    bank: z.string().regex(/^[A-Z]{4}$/, 'must be a 4-letter bank code such as HDFC').optional(),
    wallet: z.enum(WALLETS).optional(),
    // Omitted: the order's capture setting (Razorpay's payment_capture), else automatic.
    capture: z.enum(['automatic', 'manual']).optional(),
    description: z.string().max(1000).optional(),
    metadata: metadataSchema.optional(),
    customer_email: z.email().max(254).transform((e) => e.toLowerCase()).optional(),
    customer_contact: z.string().regex(/^\+?[0-9][0-9 ()-]{5,19}$/, 'must be a phone number such as +91 98765 43210').optional()
      .meta({ description: "The payer's phone number (Razorpay's contact)" }),
    billing: z.strictObject({ country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as IN') }).optional(),
    webhook_url: webhookUrlSchema.optional(),
  })
  .superRefine((v, ctx) => {
    // Exactly the detail field of the chosen method, and no other.
    const wanted = METHOD_FIELD[v.method];
    if (v[wanted] === undefined) ctx.addIssue({ code: 'custom', path: [wanted], message: `is required when method is ${v.method}` });
    for (const field of Object.values(METHOD_FIELD)) {
      if (field !== wanted && v[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is not allowed when method is ${v.method}` });
    }
  });

export type CreatePaymentInput = z.output<typeof createPaymentSchema>;
export type CardInput = z.output<typeof cardSchema>;

export const simulatePaymentSchema = z.strictObject({
  outcome: z.enum(['success', 'failed', 'authorized', 'expired']),
  failure_code: z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must be a snake_case code').optional(),
});
export const capturePaymentSchema = z.strictObject({ amount: amountSchema.optional() });
export const updatePaymentSchema = z.strictObject({ metadata: metadataSchema });

export const listPaymentsQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(PAYMENT_STATUSES).optional(),
  created_gte: timestampQuerySchema.optional(),
  created_lte: timestampQuerySchema.optional(),
  method: z.enum(METHODS).optional(),
  amount_gte: z.coerce.number().int().min(0).max(MAX_AMOUNT).optional().meta({ description: 'Amount at least (minor units)' }),
  amount_lte: z.coerce.number().int().min(0).max(MAX_AMOUNT).optional().meta({ description: 'Amount at most (minor units)' }),
  customer_email: z.string().min(1).max(254).optional().meta({ description: 'Exactly this customer email (case-insensitive)' }),
});

const nullableString = z.string().nullable();

export const paymentObject = z
  .strictObject({
    id: z.string(),
    object: z.literal('payment'),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(PAYMENT_STATUSES),
    method: z.enum(METHODS),
    card: z
      .strictObject({
        brand: nullableString, last4: nullableString, exp_month: z.number().nullable(), exp_year: z.number().nullable(), fingerprint: nullableString,
        funding: z.enum(['credit', 'debit', 'prepaid']).meta({ description: 'The kind of card, by test card (README: Test instruments)' }),
      })
      .optional(),
    vpa: nullableString.optional(),
    bank: nullableString.optional(),
    wallet: nullableString.optional(),
    capture_method: z.enum(['automatic', 'manual']),
    amount_captured: z.number().int(),
    amount_refunded: z.number().int(),
    order_id: nullableString,
    failure_code: nullableString,
    failure_message: nullableString,
    fraud: z.strictObject({ action: z.enum(['flag', 'block']), rule_id: nullableString, reason: nullableString }).nullable(),
    description: nullableString,
    customer_email: nullableString,
    customer_contact: nullableString,
    billing: z.strictObject({ country: nullableString }),
    metadata: z.record(z.string(), z.unknown()),
    webhook_url: nullableString,
    livemode: z.literal(false),
    expires_at: isoTime.nullable(),
    authorized_at: isoTime.nullable(),
    captured_at: isoTime.nullable(),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'Payment' });

export type PaymentObject = z.output<typeof paymentObject>;

export const paymentStatsObject = z.strictObject({
  object: z.literal('payment_stats'),
  total_count: z.number().int(),
  by_status: z.record(z.string(), z.strictObject({ count: z.number().int(), amount: z.record(z.string(), z.number()) })),
  amount_refunded: z.record(z.string(), z.number()),
});

import { z } from 'zod';
import { amountSchema, currencySchema, isoTime, metadataSchema, pageQuery } from '../core/schemas.ts';
import { cardSchema, METHODS, WALLETS } from '../payments/schemas.ts';

export const SESSION_STATUSES = ['open', 'complete', 'expired'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const DEFAULT_EXPIRES_IN = 30 * 60;

const prefillSchema = z.strictObject({
  email: z.email().max(254).transform((e) => e.toLowerCase()).optional(),
  contact: z.string().regex(/^\+?[0-9][0-9 ()-]{5,19}$/, 'must be a phone number such as +91 98765 43210').optional(),
  name: z.string().trim().min(1).max(100).optional(),
});

const redirectUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

/**
 * The fields both keys may send. A browser (publishable key) opens a session for an order its
 * merchant created; only the secret key may also create the order, set redirect URLs, metadata
 * or the lifetime.
 */
const common = {
  methods: z
    .array(z.enum(METHODS))
    .min(1)
    .max(METHODS.length)
    .refine((m) => new Set(m).size === m.length, 'must not repeat a method')
    .optional()
    .meta({ description: 'Payment methods offered, default all: card, upi, netbanking, wallet' }),
  prefill: prefillSchema.optional(),
  name: z.string().trim().min(1).max(100).optional().meta({ description: "Shown as the merchant's name; default the tenant's name" }),
  description: z.string().max(500).optional(),
  notes: metadataSchema
    .refine((m) => Object.keys(m).length <= 15, 'must have at most 15 keys')
    .optional()
    .meta({ description: "Each payment's metadata (checkout.js's `notes`, which Razorpay's checkout puts on the payment)" }),
  save_card: z
    .strictObject({ customer_id: z.string().min(1).max(40) })
    .optional()
    .meta({ description: "Save the card this checkout is paid with for a gateway face's customer (Razorpay checkout's customer_id with save: 1)" }),
};

export const createSessionSchema = z
  .strictObject({
    order_id: z.string().min(1).max(100).optional(),
    amount: amountSchema.optional(),
    currency: currencySchema.optional(),
    success_url: redirectUrl.optional(),
    cancel_url: redirectUrl.optional(),
    metadata: metadataSchema.optional(),
    expires_in: z.number().int().min(1).max(24 * 3600).optional().meta({ description: `Seconds until the session expires (default ${DEFAULT_EXPIRES_IN})` }),
    ...common,
  })
  .superRefine((v, ctx) => {
    if (v.order_id !== undefined) {
      for (const f of ['amount', 'currency'] as const) {
        if (v[f] !== undefined) ctx.addIssue({ code: 'custom', path: [f], message: 'is not allowed with order_id (the order has its amount)' });
      }
    } else {
      if (v.amount === undefined) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'is required unless order_id is given' });
      if (v.currency === undefined) ctx.addIssue({ code: 'custom', path: ['currency'], message: 'is required unless order_id is given' });
    }
  });

export type CreateSessionInput = z.output<typeof createSessionSchema>;

export const listSessionsQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(SESSION_STATUSES).optional(),
  order_id: z.string().min(1).max(100).optional(),
});

export const sessionObject = z
  .strictObject({
    id: z.string(),
    object: z.literal('checkout.session'),
    status: z.enum(SESSION_STATUSES),
    url: z.string(),
    order_id: z.string(),
    payment_id: z.string().nullable(),
    amount: z.number().int(),
    currency: z.string(),
    methods: z.array(z.enum(METHODS)),
    success_url: z.string().nullable(),
    cancel_url: z.string().nullable(),
    prefill: z.strictObject({ email: z.string().optional(), contact: z.string().optional(), name: z.string().optional() }),
    name: z.string().nullable(),
    description: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    notes: z.record(z.string(), z.unknown()).meta({ description: 'What each payment of the session carries as its metadata' }),
    expires_at: isoTime,
    completed_at: isoTime.nullable(),
    created_at: isoTime,
  })
  .meta({ id: 'CheckoutSession' });

export type SessionObject = z.output<typeof sessionObject>;

// ----- the hosted page's own calls (session-scoped, no API key) -----

export const payBodySchema = z
  .strictObject({
    method: z.enum(METHODS),
    card: cardSchema.optional(),
    vpa: z.string().max(256).regex(/^[a-zA-Z0-9._-]{2,200}@[a-zA-Z][a-zA-Z0-9]{1,50}$/, 'must look like name@bank').optional(),
    bank: z.string().regex(/^[A-Z]{4}$/, 'must be a 4-letter bank code such as HDFC').optional(),
    wallet: z.enum(WALLETS).optional(),
    email: z.email().max(254).transform((e) => e.toLowerCase()).optional(),
    amount: amountSchema.optional().meta({ description: 'What this payment pays, in minor units: only for an order that takes partial payments (default what is still due)' }),
  })
  .superRefine((v, ctx) => {
    const wanted = ({ card: 'card', upi: 'vpa', netbanking: 'bank', wallet: 'wallet' } as const)[v.method];
    if (v[wanted] === undefined) ctx.addIssue({ code: 'custom', path: [wanted], message: `is required when method is ${v.method}` });
  });

export type PayInput = z.output<typeof payBodySchema>;

export const authenticateBodySchema = z.strictObject({ outcome: z.enum(['complete', 'fail']) });

const resultObject = z.strictObject({ payment_id: z.string(), order_id: z.string(), signature: z.string() });

/**
 * What the hosted page polls: the session, its latest payment and, once paid, the signed result.
 * `faceFields`: what the gateway faces add to the payment of a session opened with their key
 * (CheckoutFace.paymentFieldSchemas, src/checkout/faces.ts).
 */
export const sessionStateObject = <F extends Record<string, z.ZodType>>(faceFields: F) => z.strictObject({
  object: z.literal('checkout.session.state'),
  id: z.string(),
  status: z.enum(SESSION_STATUSES),
  payment: z
    .strictObject({
      id: z.string(),
      status: z.string(),
      method: z.enum(METHODS),
      failure_code: z.string().nullable(),
      failure_message: z.string().nullable(),
      next_action: z.enum(['three_ds_challenge', 'wait']).nullable(),
      ...faceFields,
    })
    .nullable(),
  result: resultObject.nullable(),
});

/** The state as Sandpay's own fields type it; a face's fields come on top. */
export type SessionState = z.output<ReturnType<typeof sessionStateObject<{}>>>;

import { z } from 'zod';
import { amountSchema, isoTime, metadataSchema, pageQuery } from '../core/schemas.ts';
import { REFUND_STATUSES } from '../payments/state-machine.ts';

export const createRefundSchema = z.strictObject({
  amount: amountSchema.optional(),
  reason: z.string().min(1).max(500).optional(),
  metadata: metadataSchema.optional(),
});

export type RefundInput = z.output<typeof createRefundSchema>;

export const simulateRefundSchema = z.strictObject({
  outcome: z.enum(['processed', 'failed']),
  failure_code: z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must be a snake_case code').optional(),
});

export const listRefundsQuery = z.strictObject({ ...pageQuery, status: z.enum(REFUND_STATUSES).optional() });

export const refundObject = z
  .strictObject({
    id: z.string(),
    object: z.literal('refund'),
    payment_id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(REFUND_STATUSES),
    reason: z.string().nullable(),
    failure_code: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    speed: z.enum(['normal', 'optimum']).meta({ description: "The speed asked for (Razorpay's speed_requested); normal unless a Razorpay refund asked for optimum" }),
    processed_at: isoTime.nullable(),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'Refund' });

export type RefundObject = z.output<typeof refundObject>;

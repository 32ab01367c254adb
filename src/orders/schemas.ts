import { z } from 'zod';
import { amountSchema, currencySchema, isoTime, metadataSchema, pageQuery } from '../core/schemas.ts';

/**
 * Orders carry `metadata`, as payments and refunds do; `notes` (Razorpay's name) is accepted as
 * an alias on input so either habit works.
 */
export const createOrderSchema = z
  .strictObject({
    amount: amountSchema,
    currency: currencySchema,
    receipt: z.string().min(1).max(100).optional(),
    metadata: metadataSchema.optional(),
    notes: metadataSchema.optional().meta({ description: 'Alias of metadata' }),
  })
  .refine((v) => !(v.metadata && v.notes), { message: 'send metadata or notes, not both', path: ['notes'] })
  .transform(({ notes, ...v }) => ({ ...v, metadata: v.metadata ?? notes }));

export type OrderInput = z.output<typeof createOrderSchema>;

export const updateOrderSchema = z
  .strictObject({ metadata: metadataSchema.optional(), notes: metadataSchema.optional().meta({ description: 'Alias of metadata' }) })
  .refine((v) => (v.metadata === undefined) !== (v.notes === undefined), { message: 'send metadata (or its alias notes)', path: ['metadata'] })
  .transform((v) => ({ metadata: (v.metadata ?? v.notes)! }));

export const ORDER_STATUSES = ['created', 'attempted', 'paid'] as const;

export const listOrdersQuery = z.strictObject({ ...pageQuery, status: z.enum(ORDER_STATUSES).optional() });

export const orderObject = z
  .strictObject({
    id: z.string(),
    object: z.literal('order'),
    amount: z.number().int(),
    amount_paid: z.number().int(),
    amount_due: z.number().int(),
    currency: z.string(),
    status: z.enum(ORDER_STATUSES),
    attempts: z.number().int(),
    receipt: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'Order' });

export type OrderObject = z.output<typeof orderObject>;

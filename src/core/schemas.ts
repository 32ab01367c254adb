import { z } from 'zod';

/** Field schemas shared by several capabilities; each capability's own schemas live beside it. */

/** The version of API objects and event bodies; it changes only with a breaking change. */
export const API_VERSION = '2026-11-25';

const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** An upper-case ISO 4217 code that exists; money is always minor units + currency. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code such as "INR" or "USD"')
  .refine((c) => CURRENCIES.has(c), 'is not an ISO 4217 currency code')
  .meta({ example: 'INR' });

export const MAX_AMOUNT = 99_999_999_999;

/**
 * Integer minor units (paise, cents). Floats, strings and unsafe integers are refused with one
 * message that says which rule failed (a huge number is "too large", not "not an integer").
 */
export const amountSchema = z
  .number({ error: 'must be an integer number of minor units (e.g. paise)' })
  .min(1, 'must be at least 1')
  .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`)
  .refine((n) => Number.isInteger(n), { message: 'must be an integer number of minor units (e.g. paise), not a decimal', abort: true })
  .meta({ description: 'Integer minor units (paise, cents)', example: 5000 });

/** Free-form key/value metadata with bounded size, as real gateways allow. */
export const metadataSchema = z
  .record(
    z.string().min(1).max(40),
    z.union([z.string().max(500), z.number(), z.boolean(), z.null()], { error: 'values must be strings, numbers, booleans or null' }),
  )
  .refine((m) => Object.keys(m).length <= 50, 'may have at most 50 keys')
  .refine((m) => JSON.stringify(m).length <= 8192, 'must be at most 8 KB when serialised')
  .meta({ description: 'Up to 50 flat key/value pairs, at most 8 kB' });

export const limitSchema = z.coerce
  .number({ error: 'must be an integer between 1 and 100' })
  .int('must be an integer between 1 and 100')
  .min(1, 'must be between 1 and 100')
  .max(100, 'must be between 1 and 100')
  .default(20);

export const timestampQuerySchema = z
  .string()
  .transform((v, ctx) => {
    const d = /^\d+$/.test(v) ? new Date(Number(v) * 1000) : new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 timestamp or unix seconds' });
      return z.NEVER;
    }
    return d;
  })
  .meta({ description: 'ISO 8601 timestamp or unix seconds' });

const cursorSchema = z.string().min(1).max(100);

/** Cursor paging on every list: newest first; `starting_after` pages older, `ending_before` newer. */
export const pageQuery = {
  limit: limitSchema,
  starting_after: cursorSchema.optional(),
  ending_before: cursorSchema.optional(),
};

export const isoTime = z.string().meta({ format: 'date-time' });

/** The list envelope of every paged answer. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.strictObject({
    object: z.literal('list'),
    data: z.array(item),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
  });
}

import { z } from 'zod';
import { ApiError, badRequest } from './errors.ts';

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

const paramName = (path: PropertyKey[]) => path.map(String).join('.');

/**
 * Maps the first zod issue to one 400 with `param` set to the dotted path of the field, so a
 * client can point at the exact input that was wrong.
 */
export function toApiError(error: z.ZodError, input: unknown, root = ''): ApiError {
  const issue = error.issues[0]!;
  const path = root ? [root, ...issue.path] : issue.path;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const param = paramName([...path, key]);
    return badRequest('parameter_unknown', `Received unknown parameter: ${param}`, param);
  }
  const param = paramName(path) || undefined;
  // Whatever zod calls it (invalid_type, invalid_value, custom), a failing field absent from the input is missing.
  if (issue.path.length > 0 && valueAt(input, issue.path) === undefined) {
    return badRequest('parameter_missing', `Missing required parameter: ${param}`, param);
  }
  const leaf = issue.path[issue.path.length - 1];
  if (leaf === 'amount' && issue.code === 'too_small') return badRequest('amount_too_small', `${param} ${issue.message}`, param);
  if (leaf === 'amount' && issue.code === 'too_big') return badRequest('amount_too_large', `${param} ${issue.message}`, param);
  return badRequest('parameter_invalid', param ? `Invalid ${param}: ${issue.message}` : issue.message, param);
}

/** Validates a request body or query string; a missing one is an empty object. */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw toApiError(result.error, input);
  return result.data;
}

export const parseQuery = parseBody;

// ----- shared field schemas -----

const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** An upper-case ISO 4217 code that exists; money is always minor units + currency. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code such as "INR" or "USD"')
  .refine((c) => CURRENCIES.has(c), 'is not an ISO 4217 currency code');

export const MAX_AMOUNT = 99_999_999_999;

/** Integer minor units (paise, cents). Floats, strings and unsafe integers are refused. */
export const amountSchema = z
  .number({ error: 'must be an integer number of minor units (e.g. paise)' })
  .int('must be an integer number of minor units (e.g. paise), not a decimal')
  .min(1, 'must be at least 1')
  .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);

/** Free-form key/value metadata with bounded size, as real gateways allow. */
export const metadataSchema = z
  .record(z.string().min(1).max(40), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((m) => Object.keys(m).length <= 50, 'may have at most 50 keys')
  .refine((m) => JSON.stringify(m).length <= 8192, 'must be at most 8 KB when serialised');

export const limitSchema = z.coerce
  .number()
  .int('must be an integer')
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
  });

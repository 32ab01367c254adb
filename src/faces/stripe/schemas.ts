import { z } from 'zod';
import { MAX_AMOUNT } from '../../core/schemas.ts';

/**
 * Stripe's parameters as its SDK sends them: every value a string in a form (`amount=2000`,
 * `confirm=true`), or the same as JSON. These take either and give the typed value.
 */
export const sInt = (min = 0, max = MAX_AMOUNT) =>
  z
    .union([z.number(), z.string().regex(/^-?\d+$/, 'must be an integer').transform(Number)], { error: 'must be an integer' })
    .pipe(z.number().int('must be an integer').min(min).max(max));

export const sBool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { error: 'must be true or false' });

/** Lower-case on the wire (`usd`), upper-case in the ledger (`USD`). */
export const sCurrency = z
  .string()
  .regex(/^[a-zA-Z]{3}$/, 'must be a three-letter ISO currency code such as usd')
  .transform((c) => c.toUpperCase())
  .refine((c) => (Intl.supportedValuesOf('currency') as string[]).includes(c), 'is not a supported currency');

export const amount = sInt(1).meta({ description: 'Smallest currency unit (cents; yen for JPY)' });

/**
 * Stripe's metadata rules: at most 50 keys of at most 40 characters, string values of at most
 * 500; `""` as a value unsets that key, and `metadata=""` unsets them all.
 */
export const sMetadata = z.union([
  z.literal(''),
  z
    .record(z.string().min(1).max(40, 'keys must be at most 40 characters'), z.union([z.string().max(500, 'values must be at most 500 characters'), z.number().transform(String)]))
    .refine((m) => Object.keys(m).length <= 50, 'may have at most 50 keys'),
]);
export type MetadataPatch = z.output<typeof sMetadata>;

/** A metadata patch applied Stripe's way: keys set, `""` keys removed, `""` for all of it clears it. */
export function mergeMetadata(current: Record<string, unknown>, patch: MetadataPatch | undefined): Record<string, string> {
  if (patch === '') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(current)) out[k] = String(v);
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}

/** `expand[]`: paths of the answer to show as objects instead of ids (`latest_charge`, `data.customer`). */
export const expand = z.array(z.string().max(200)).max(20).optional();

/** A Stripe timestamp filter: an integer, or `{gt, gte, lt, lte}`. */
export const createdFilter = z.union([sInt(0, 2 ** 40), z.strictObject({ gt: sInt(0, 2 ** 40).optional(), gte: sInt(0, 2 ** 40).optional(), lt: sInt(0, 2 ** 40).optional(), lte: sInt(0, 2 ** 40).optional() })]);

/** What every list takes: 1–100 per page (10 by default), cursors by id, expand. */
export const listParams = {
  limit: sInt(1, 100).optional(),
  starting_after: z.string().max(200).optional(),
  ending_before: z.string().max(200).optional(),
  created: createdFilter.optional(),
  expand,
};

export const listOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({ object: z.literal('list'), data: z.array(item), has_more: z.boolean(), url: z.string() });

/** Unix seconds, as Stripe writes every time. */
export const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** An http(s) URL, as Stripe requires of every redirect: never `javascript:`, `data:` or another scheme. */
export function isHttpUrl(u: string): boolean {
  try {
    return /^https?:$/.test(new URL(u).protocol);
  } catch {
    return false;
  }
}

export const httpUrlOf = (max: number, message = 'must be an http(s) URL') => z.string().max(max).refine(isHttpUrl, message);

/**
 * A page's query or form field: what a browser sends is never refused as JSON. A repeated field
 * (an array), an overlong one or another shape is taken as absent, so the page answers in words.
 */
export const pageField = (max: number) => z.string().max(max).optional().catch(undefined);

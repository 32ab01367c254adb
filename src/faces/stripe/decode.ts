import qs from 'qs';
import { badRequest } from '../../core/errors.ts';

/**
 * Stripe's encoding: `a[b][c]=v` for nested objects and `a[0][x]=v` for arrays, in form bodies
 * and query strings alike (stripe-node sends nothing else to /v1). Every value arrives as a
 * string; the schemas turn them into numbers and booleans. Bounded so a hostile body costs
 * little: 8 levels, 2,000 parameters, 250 items per array (an `expand[]` or `line_items[]`
 * beyond qs's default 20 must stay an array, not turn into an object).
 */
const OPTIONS: qs.IParseOptions = {
  depth: 8,
  strictDepth: true,
  parameterLimit: 2000,
  throwOnLimitExceeded: true,
  arrayLimit: 250,
  allowPrototypes: false,
  plainObjects: true,
  charset: 'utf-8',
};

export function decodeForm(raw: string): Record<string, unknown> {
  try {
    return qs.parse(raw, OPTIONS) as Record<string, unknown>;
  } catch {
    throw badRequest('parameter_invalid', 'The request parameters are nested too deeply or are too many (at most 8 levels and 2,000 parameters)');
  }
}

export const decodeQuery = decodeForm;

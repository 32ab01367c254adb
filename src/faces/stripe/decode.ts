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

/** qs drops `__proto__` keys without a word: refuse them instead, as JSON bodies are refused. */
function refuseProtoKeys(raw: string): void {
  for (const pair of raw.split('&')) {
    const key = pair.slice(0, (pair.indexOf('=') + 1 || pair.length + 1) - 1);
    let name: string;
    try {
      name = decodeURIComponent(key.replaceAll('+', ' '));
    } catch {
      continue; // qs keeps a malformed escape as it is: no prototype key
    }
    if (name.includes('__proto__')) throw badRequest('parameter_invalid', `Received a parameter name that is not allowed: ${JSON.stringify(name.slice(0, 100))}`);
  }
}

export function decodeForm(raw: string): Record<string, unknown> {
  refuseProtoKeys(raw);
  try {
    return qs.parse(raw, OPTIONS) as Record<string, unknown>;
  } catch {
    throw badRequest('parameter_invalid', 'The request parameters are nested too deeply or are too many (at most 8 levels and 2,000 parameters)');
  }
}

export const decodeQuery = decodeForm;

import { z } from 'zod';
import type { DomainError } from '../../core/errors.ts';
import { KIND_TO_HTTP } from '../../routing/errors.ts';

/**
 * Razorpay's statuses for Sandpay's: it answers "no such id", conflicts and state errors alike as
 * 400 BAD_REQUEST_ERROR, and a key it will not serve as 401. The rest (400, 401, 429, 5xx) are the same.
 */
const RAZORPAY_STATUS: Readonly<Record<number, number>> = { 403: 401, 404: 400, 405: 400, 409: 400, 413: 400, 415: 400, 422: 400 };

export const razorpayStatus = (status: number): number => RAZORPAY_STATUS[status] ?? status;

/**
 * Razorpay's error shape, its keys in Razorpay's order: `code` is BAD_REQUEST_ERROR, GATEWAY_ERROR
 * or SERVER_ERROR; `field` is null when no parameter is at fault.
 */
export const razorpayErrorSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(['BAD_REQUEST_ERROR', 'GATEWAY_ERROR', 'SERVER_ERROR']),
      description: z.string().meta({ description: 'A sentence for a person' }),
      field: z.string().nullable().meta({ description: 'The parameter that was wrong, or null' }),
      source: z.string(),
      step: z.string(),
      reason: z.string().meta({ description: "Razorpay's reason: input_validation_failed for a request it refuses, NA where it has none" }),
      metadata: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'RazorpayError' });

/** Razorpay's own wording where a Razorpay integration may look for it. */
const RAZORPAY_DESCRIPTION: Record<string, (e: DomainError) => string> = {
  parameter_unknown: (e) => `${e.param} is/are not required and should not be sent`,
  parameter_missing: (e) => `The ${e.param} field is required.`,
  resource_missing: (e) => (e.malformedId !== undefined ? `${e.malformedId} is not a valid id` : 'The id provided does not exist'),
  route_not_found: () => NOT_FOUND_URL,
  method_not_allowed: () => NOT_FOUND_URL,
};

/** What Razorpay answers (400) for a URL or method its API does not have, SDK methods Sandpay does not serve included. */
export const NOT_FOUND_URL = 'The requested URL was not found on the server.';

function razorpayDescription(e: DomainError): string {
  const known = RAZORPAY_DESCRIPTION[e.code];
  if (known) return known(e);
  // Validation messages name their field first ("Invalid amount: …", "amount must …"); a Razorpay
  // message written into a schema reads better without that prefix.
  const m = e.message;
  if (e.param === undefined) return m;
  if (m.startsWith(`Invalid ${e.param}: `)) return m.slice(`Invalid ${e.param}: `.length);
  if (m.startsWith(`${e.param} `) && /^[A-Z]/.test(m.slice(e.param.length + 1))) return m.slice(e.param.length + 1);
  return m;
}

/**
 * Razorpay's error body. A request it refuses (bad input, no such id, a state that does not allow
 * it) is source `business`, step `payment_initiation`, reason `input_validation_failed`, as
 * Razorpay's API answers them; a URL it does not have, a credential it does not take, a rate limit
 * or a server error carries NA there, as Razorpay's do. The field is the parameter at fault, else null.
 */
export function razorpayErrorBody(err: DomainError): z.output<typeof razorpayErrorSchema> {
  const status = razorpayStatus(KIND_TO_HTTP[err.kind].status);
  const unrouted = err.code === 'route_not_found' || err.kind === 'method_not_allowed';
  const refused = status < 500 && status !== 401 && status !== 429 && !unrouted;
  return {
    error: {
      code: status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST_ERROR',
      description: razorpayDescription(err),
      field: err.param !== undefined && err.kind !== 'not_found' ? err.param : null,
      source: refused ? 'business' : 'NA',
      step: refused ? 'payment_initiation' : 'NA',
      reason: refused ? 'input_validation_failed' : 'NA',
      metadata: {},
    },
  };
}

import { z } from 'zod';
import type { DomainError } from '../../core/errors.ts';
import { KIND_TO_HTTP } from '../../routing/errors.ts';

/**
 * Razorpay's statuses for Sandpay's: it answers "no such id", conflicts and state errors alike as
 * 400 BAD_REQUEST_ERROR, and a key it will not serve as 401. The rest (400, 401, 429, 5xx) are the same.
 */
const RAZORPAY_STATUS: Readonly<Record<number, number>> = { 403: 401, 404: 400, 405: 400, 409: 400, 413: 400, 415: 400, 422: 400 };

export const razorpayStatus = (status: number): number => RAZORPAY_STATUS[status] ?? status;

/** Razorpay's error shape: `code` is BAD_REQUEST_ERROR, GATEWAY_ERROR or SERVER_ERROR. */
export const razorpayErrorSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(['BAD_REQUEST_ERROR', 'GATEWAY_ERROR', 'SERVER_ERROR']),
      description: z.string().meta({ description: 'A sentence for a person' }),
      field: z.string().optional().meta({ description: 'The parameter that was wrong' }),
      source: z.string(),
      step: z.string(),
      reason: z.string().meta({ description: "Sandpay's stable code for the error (e.g. amount_too_large), or NA" }),
      metadata: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'RazorpayError' });

/** Razorpay's own wording where a Razorpay integration may look for it. */
const RAZORPAY_DESCRIPTION: Record<string, (e: DomainError) => string> = {
  parameter_unknown: (e) => `${e.param} is/are not required and should not be sent`,
  parameter_missing: (e) => `The ${e.param} field is required.`,
  resource_missing: () => 'The id provided does not exist',
  route_not_found: () => 'The requested URL was not found on the server.',
};

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
 * Razorpay's error shape: code BAD_REQUEST_ERROR (SERVER_ERROR for a 5xx), its description, the
 * field, and Sandpay's own error code as `reason` so a test can still tell errors apart.
 */
export function razorpayErrorBody(err: DomainError): z.output<typeof razorpayErrorSchema> {
  const status = razorpayStatus(KIND_TO_HTTP[err.kind].status);
  const client = status < 500 && status !== 401 && status !== 429;
  return {
    error: {
      code: status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST_ERROR',
      description: razorpayDescription(err),
      ...(err.param !== undefined && err.kind !== 'not_found' ? { field: err.param } : {}),
      source: client ? 'business' : 'NA',
      step: 'NA',
      reason: err.code,
      metadata: {},
    },
  };
}

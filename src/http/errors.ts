import type { z } from 'zod';
import type { Request } from 'express';
import type { errorSchema, razorpayErrorSchema } from '../contract/error-schema.ts';
import type { ErrorFormat } from '../routing/route.ts';
import { razorpayStatus } from '../contract/statuses.ts';
import { classifyDbError } from '../db/errors.ts';
import { badRequest, conflict, DomainError, unavailable, type ErrorKind } from '../core/errors.ts';

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'idempotency_error'
  | 'state_error'
  | 'rate_limit_error'
  | 'api_error';

/** The one place a domain error's kind becomes an HTTP status and a CONVENTIONS error type. */
export const KIND_TO_HTTP: Record<ErrorKind, { status: number; type: ErrorType }> = {
  invalid: { status: 400, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  unauthenticated: { status: 401, type: 'authentication_error' },
  forbidden: { status: 403, type: 'permission_error' },
  state: { status: 409, type: 'state_error' },
  conflict: { status: 409, type: 'invalid_request_error' },
  idempotency_in_use: { status: 409, type: 'idempotency_error' },
  idempotency_reused: { status: 422, type: 'idempotency_error' },
  rate_limited: { status: 429, type: 'rate_limit_error' },
  method_not_allowed: { status: 405, type: 'invalid_request_error' },
  too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media: { status: 415, type: 'invalid_request_error' },
  unavailable: { status: 503, type: 'api_error' },
  internal: { status: 500, type: 'api_error' },
};


/** Which error shape a request gets: its route's, or before routing (a body that is not JSON, no such path) by its path. */
export function errorFormatOf(req: Request): ErrorFormat {
  if (req.contract) return req.contract.errorFormat ?? 'sandpay';
  return /^\/v1(\/|$)/.test(req.path) ? 'razorpay' : 'sandpay';
}

/** The status and body of an error in the request's format. */
export function errorAnswer(err: DomainError, req: Request): { status: number; body: unknown } {
  const { status } = KIND_TO_HTTP[err.kind];
  if (errorFormatOf(req) === 'razorpay') return { status: razorpayStatus(status), body: razorpayErrorBody(err) };
  return { status, body: errorBody(err, String(req.id)) };
}

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

export function errorBody(err: DomainError, requestId: string): z.output<typeof errorSchema> {
  const { type } = KIND_TO_HTTP[err.kind];
  return {
    error: { type, code: err.code, message: err.message, ...(err.param !== undefined ? { param: err.param } : {}), request_id: requestId },
  };
}

const BODY_PARSER_ERRORS: Record<string, () => DomainError> = {
  'entity.parse.failed': () => badRequest('invalid_json', 'The request body is not a valid JSON object'),
  'entity.too.large': () => new DomainError('too_large', 'request_too_large', 'The request body is larger than 100 kB'),
  'encoding.unsupported': () => new DomainError('unsupported_media', 'unsupported_encoding', 'Unsupported Content-Encoding'),
  'charset.unsupported': () => new DomainError('unsupported_media', 'unsupported_charset', 'JSON bodies must be UTF-8'),
  'request.aborted': () => badRequest('request_aborted', 'The request was aborted'),
  'request.size.invalid': () => badRequest('invalid_content_length', 'The body length does not match Content-Length'),
};

/** Any thrown value becomes a DomainError; only the unknown ones are 500s, and they say nothing internal. */
export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const e = err as { type?: unknown; status?: unknown; statusCode?: unknown };
  if (typeof e?.type === 'string' && BODY_PARSER_ERRORS[e.type]) return BODY_PARSER_ERRORS[e.type]!();
  switch (classifyDbError(err)) {
    case 'unavailable':
    case 'retryable':
    case 'lock_timeout':
      return unavailable();
    case 'bad_input':
      return badRequest('parameter_invalid', 'A parameter has a value the database cannot accept');
    case 'unique_violation':
      return conflict('resource_exists', 'The object already exists');
    default:
      break;
  }
  // Express and its parsers mark client mistakes (e.g. a malformed %-escape in a path) with a 4xx status.
  const status = Number(e?.status ?? e?.statusCode);
  if (status >= 400 && status < 500) return badRequest('invalid_request', 'The request could not be understood');
  return new DomainError('internal', 'internal_error', 'An unexpected error occurred; it has been logged');
}

import type { ErrorKind } from '../core/errors.ts';

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'idempotency_error'
  | 'state_error'
  | 'rate_limit_error'
  | 'api_error';

/**
 * The one place a domain error's kind becomes an HTTP status and a CONVENTIONS error type. A
 * gateway face answers in its own statuses and shape (HttpFace.errorReply), starting from these.
 */
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

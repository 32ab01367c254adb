import type { ErrorRequestHandler, RequestHandler } from 'express';
import { classifyDbError } from '../../db/errors.ts';
import { ApiError, badRequest, conflict, unavailable } from '../errors.ts';

const BODY_PARSER_ERRORS: Record<string, () => ApiError> = {
  'entity.parse.failed': () => badRequest('invalid_json', 'The request body is not valid JSON'),
  'entity.too.large': () => new ApiError(413, 'invalid_request_error', 'request_too_large', 'The request body is larger than 100 kB'),
  'encoding.unsupported': () => new ApiError(415, 'invalid_request_error', 'unsupported_encoding', 'Unsupported Content-Encoding'),
  'charset.unsupported': () => new ApiError(415, 'invalid_request_error', 'unsupported_charset', 'JSON bodies must be UTF-8'),
  'request.aborted': () => badRequest('request_aborted', 'The request was aborted'),
  'request.size.invalid': () => badRequest('invalid_content_length', 'The body length does not match Content-Length'),
};

/** Any thrown value becomes an ApiError; only the unknown ones are 500s, and they say nothing internal. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
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
  return new ApiError(500, 'api_error', 'internal_error', 'An unexpected error occurred; it has been logged');
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const apiError = toApiError(err);
  if (apiError.status >= 500) {
    req.log.error({ err, code: apiError.code }, 'request failed');
  } else {
    req.log.debug({ code: apiError.code, status: apiError.status }, 'request rejected');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(apiError.status).set(apiError.headers).json(apiError.body(String(req.id)));
};

export const notFoundHandler: RequestHandler = (req) => {
  throw new ApiError(404, 'invalid_request_error', 'route_not_found', `No route for ${req.method} ${req.originalUrl.split('?')[0]}`);
};

import type { z } from 'zod';
import type { Request } from 'express';
import type { errorSchema } from '../contract/error-schema.ts';
import { HTTP_FACES } from '../contract/faces.ts';
import type { FaceRequest, HttpFace } from '../routing/face.ts';
import { KIND_TO_HTTP } from '../routing/errors.ts';
import { classifyDbError } from '../db/errors.ts';
import { badRequest, conflict, DomainError, unavailable } from '../core/errors.ts';

/** The gateway face a request without a route is for: the first listed that claims it; null for Sandpay's own. */
export const faceClaiming = (req: FaceRequest): HttpFace | null => HTTP_FACES.find((f) => f.claims(req)) ?? null;

/** Which face a request speaks to: its route's, or before routing (a body that is not JSON, no such path) the one that claims it. */
export function faceOfRequest(req: Request): HttpFace | null {
  if (req.contract) return req.contract.face ?? null;
  return faceClaiming(req);
}

/** The status and body of an error in the request's face (Sandpay's own shape by default). */
export function errorAnswer(err: DomainError, req: Request): { status: number; body: unknown } {
  const face = faceOfRequest(req);
  if (face) return face.errorReply(err, String(req.id));
  return { status: KIND_TO_HTTP[err.kind].status, body: errorBody(err, String(req.id)) };
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

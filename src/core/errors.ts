/**
 * What went wrong, in the domain's terms. The domain throws these with a code (stable, for
 * clients) and a kind (what sort of failure it is); only the HTTP edge maps a kind to a status
 * and an error type (src/http/errors.ts).
 */
export type ErrorKind =
  | 'invalid' //            the request is malformed or a value is not acceptable
  | 'not_found' //          no such object (or another tenant's)
  | 'unauthenticated' //    no credential, or one Sandpay does not know
  | 'forbidden' //          a known credential that may not do this
  | 'state' //              the object's state does not allow it now
  | 'conflict' //           it would duplicate something unique (an email already registered)
  | 'idempotency_in_use' // the same Idempotency-Key is still being processed
  | 'idempotency_reused' // the same Idempotency-Key was used for another request
  | 'rate_limited'
  | 'method_not_allowed'
  | 'too_large'
  | 'unsupported_media'
  | 'unavailable' //        a dependency (the database) is down, or the process is overloaded
  | 'internal';

export class DomainError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly param: string | undefined;
  /** Extra response headers the edge should send (Retry-After, Allow). */
  readonly headers: Record<string, string>;
  /** A path id that is not an id at all (not the shape of one), for a face that says so (Razorpay's "… is not a valid id"). */
  readonly malformedId: string | undefined;

  constructor(kind: ErrorKind, code: string, message: string, opts: { param?: string; headers?: Record<string, string>; malformedId?: string } = {}) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.param = opts.param;
    this.headers = opts.headers ?? {};
    this.malformedId = opts.malformedId;
  }
}

export const badRequest = (code: string, message: string, param?: string) => new DomainError('invalid', code, message, { param });

export const notFound = (what: string, param = 'id') => new DomainError('not_found', 'resource_missing', `No such ${what}`, { param });

export const unauthenticated = (code: string, message: string) => new DomainError('unauthenticated', code, message);

export const forbidden = (code: string, message: string, param?: string) => new DomainError('forbidden', code, message, { param });

/** The object exists but its state (paid, refunded, already taken) does not allow the request. */
export const stateError = (code: string, message: string, param?: string) => new DomainError('state', code, message, { param });

export const conflict = (code: string, message: string, param?: string) => new DomainError('conflict', code, message, { param });

export const unavailable = (message = 'The database is unavailable; try again shortly', code = 'service_unavailable') =>
  new DomainError('unavailable', code, message, { headers: { 'Retry-After': '1' } });

/** A setting that stops start-up: its message is one line naming the variable, never its secret value. */
export class ConfigError extends Error {}

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'idempotency_error'
  | 'state_error'
  | 'rate_limit_error'
  | 'api_error';

/** The one error the API throws; the error handler turns it into the CONVENTIONS shape. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, type: ErrorType, code: string, message: string, param?: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.headers = headers;
  }

  body(requestId: string) {
    return {
      error: {
        type: this.type,
        code: this.code,
        message: this.message,
        ...(this.param !== undefined ? { param: this.param } : {}),
        request_id: requestId,
      },
    };
  }
}

export const badRequest = (code: string, message: string, param?: string) =>
  new ApiError(400, 'invalid_request_error', code, message, param);

export const notFound = (what: string, param = 'id') =>
  new ApiError(404, 'invalid_request_error', 'resource_missing', `No such ${what}`, param);

export const unauthenticated = (code: string, message: string) => new ApiError(401, 'authentication_error', code, message);

export const forbidden = (code: string, message: string) => new ApiError(403, 'permission_error', code, message);

export const stateError = (code: string, message: string) => new ApiError(409, 'state_error', code, message);

export const conflict = (code: string, message: string, param?: string) =>
  new ApiError(409, 'invalid_request_error', code, message, param);

export const unavailable = (message = 'The database is unavailable; try again shortly') =>
  new ApiError(503, 'api_error', 'service_unavailable', message, undefined, { 'Retry-After': '1' });

import { z } from 'zod';
import { DomainError, type ErrorKind } from '../../core/errors.ts';
import type { ApiObject } from '../../events/types.ts';

/**
 * Stripe's statuses and error types for Sandpay's kinds of error. stripe-node picks its error class
 * from the status (400/404 → StripeInvalidRequestError, or StripeIdempotencyError for type
 * idempotency_error; 401 Authentication, 402 Card, 403 Permission, 429 RateLimit, the rest
 * StripeAPIError), so the statuses matter more than the types. A state error is Stripe's 400.
 */
const STRIPE: Record<ErrorKind, { status: number; type: StripeErrorType }> = {
  invalid: { status: 400, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  unauthenticated: { status: 401, type: 'invalid_request_error' },
  forbidden: { status: 403, type: 'invalid_request_error' },
  state: { status: 400, type: 'invalid_request_error' },
  conflict: { status: 400, type: 'invalid_request_error' },
  idempotency_in_use: { status: 409, type: 'invalid_request_error' },
  idempotency_reused: { status: 400, type: 'idempotency_error' },
  rate_limited: { status: 429, type: 'invalid_request_error' },
  method_not_allowed: { status: 405, type: 'invalid_request_error' },
  too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media: { status: 415, type: 'invalid_request_error' },
  unavailable: { status: 503, type: 'api_error' },
  internal: { status: 500, type: 'api_error' },
};

type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export const stripeStatus = (native: number): number => {
  // Sandpay's 409 state errors and 422 reused keys are Stripe's 400s; its other statuses are Stripe's own.
  if (native === 409 || native === 422) return 400;
  return native;
};

/**
 * A declined card: Stripe's 402 card_error, with the code, the decline code, the charge and the
 * PaymentIntent as it now is (back in requires_payment_method). Returned by a handler inside a
 * `Refusal`, so the failed attempt it describes is committed before the error is answered.
 */
export class CardError extends DomainError {
  readonly extra: { decline_code?: string; charge?: string; payment_intent?: ApiObject; payment_method?: ApiObject };
  /** `param`: the card field that is wrong, when the card is refused as it is stored (no charge, no intent). */
  constructor(code: string, message: string, extra: CardError['extra'], param?: string) {
    super('invalid', code, message, { param });
    this.extra = extra;
  }
}

/** `metadata.order` as Stripe names parameters: `metadata[order]`. */
export const bracketed = (param: string) => param.split('.').map((p, i) => (i === 0 ? p : `[${p}]`)).join('');

export const stripeErrorSchema = z
  .looseObject({
    error: z.looseObject({
      type: z.enum(['api_error', 'card_error', 'idempotency_error', 'invalid_request_error']),
      code: z.string().optional(),
      decline_code: z.string().optional(),
      message: z.string(),
      param: z.string().optional(),
      doc_url: z.string().optional(),
      request_log_url: z.string().optional(),
      charge: z.string().optional(),
      payment_intent: z.record(z.string(), z.unknown()).optional(),
      payment_method: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'StripeError' });

export function stripeErrorReply(err: DomainError): { status: number; body: z.output<typeof stripeErrorSchema> } {
  const { status, type } = err instanceof CardError ? { status: 402, type: 'card_error' as const } : STRIPE[err.kind];
  const param = err.param === undefined ? undefined : bracketed(err.param);
  const unrouted = err.code === 'route_not_found' ? /^No route for (\S+) (\S+)/.exec(err.message) : null;
  const message = unrouted ? `Unrecognized request URL (${unrouted[1]}: ${unrouted[2]}).`
    : param && err.param !== param ? err.message.split(err.param!).join(param) : err.message;
  const body = {
    error: {
      type,
      code: err.code,
      message,
      ...(param !== undefined ? { param } : {}),
      ...(err instanceof CardError ? err.extra : {}),
      doc_url: `https://docs.stripe.com/error-codes/${err.code.replaceAll('_', '-')}`,
    },
  };
  return { status, body };
}

/** Stripe's "No such …" for an id this tenant does not have (another tenant's included). */
export const noSuch = (what: string, id: string, param = 'id') =>
  new DomainError('not_found', 'resource_missing', `No such ${what}: '${id}'`, { param });

/** A PaymentIntent (or other object) in a state that does not allow the request: Stripe's 400. */
export const unexpectedState = (code: string, message: string, param?: string) => new DomainError('state', code, message, { param });

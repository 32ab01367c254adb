import { z } from 'zod';

/** The one error shape (CONVENTIONS): every 4xx and 5xx body. */
export const errorSchema = z
  .strictObject({
    error: z.strictObject({
      type: z.enum(['invalid_request_error', 'authentication_error', 'permission_error', 'idempotency_error', 'state_error', 'rate_limit_error', 'api_error']),
      code: z.string().meta({ description: 'Stable, machine-readable code, e.g. resource_missing' }),
      message: z.string().meta({ description: 'A sentence for a person' }),
      param: z.string().optional().meta({ description: 'The parameter that was wrong, as a dotted path' }),
      request_id: z.string(),
    }),
  })
  .meta({ id: 'Error' });

/** Razorpay's error shape (the /v1 face): `code` is BAD_REQUEST_ERROR, GATEWAY_ERROR or SERVER_ERROR. */
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

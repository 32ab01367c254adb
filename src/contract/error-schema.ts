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

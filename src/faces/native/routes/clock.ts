import { z } from 'zod';
import { advanceBody, advanceClock, clockObject, clockView, resetTenantClock } from '../../../clock/clock.ts';
import { route } from '../../../routing/route.ts';

const tag = 'Test clock';

/** The tenant's clock (README, "Time travel"): read it, advance it, put it back to real time. Secret key only. */
export const clockRoutes = [
  route({
    method: 'get', path: '/api/v1/test-clock', auth: 'secret', tag, summary: "The tenant's clock: its time, offset and status",
    response: clockObject,
    // The row the key was authenticated with, so the answer is the time this request itself works at.
    handler: async ({ ctx }) => clockView(ctx.tenant),
  }),
  route({
    method: 'post', path: '/api/v1/test-clock/advance', auth: 'secret', tag, write: true, status: 202, errors: [409],
    summary: 'Move the clock forward',
    description:
      'With `by` (`"3d"`, `"90m"`, `"45s"`, `"1d12h"`) or `to` (an ISO 8601 time later than the clock). Answers 202 with status `advancing`: ' +
      'a job then runs everything that falls due before the new time, in time order (uncaptured authorizations and pending payments expire, ' +
      'checkout sessions expire, webhook retries are attempted and dead-lettered), the clock reads the new time, status `ready`, and a ' +
      '`test_clock.ready` event goes out. Backward (or zero) is a 400 `clock_backward`; while an advance runs, another is a 409 `clock_advancing`.',
    body: advanceBody, response: clockObject, example: { by: '3d' },
    handler: ({ t, svc, ctx, body }) => advanceClock(t, svc, ctx, body),
  }),
  route({
    method: 'post', path: '/api/v1/test-clock/reset', auth: 'secret', tag, write: true, errors: [409],
    summary: 'Put the clock back to real time',
    description: 'Only while the tenant has no object the clock dated (no event yet): otherwise a 409 `clock_in_use`; register a new tenant for a fresh clock.',
    body: z.strictObject({}), response: clockObject,
    handler: ({ t, svc, ctx }) => resetTenantClock(t, svc, ctx),
  }),
];

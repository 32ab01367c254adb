import { z } from 'zod';
import { route } from '../../../routing/route.ts';
import { expand, listOf, listParams, sInt } from '../schemas.ts';
import { advanceTestClock, createTestClock, deleteTestClock, ownClock, testClockObject } from '../test-clocks.ts';
import { base, idParams, listUrl } from './common.ts';

const testClock = z.looseObject({ id: z.string(), object: z.literal('test_helpers.test_clock') }).meta({ id: 'StripeTestClock' });
const deleted = z.strictObject({ id: z.string(), object: z.literal('test_helpers.test_clock'), deleted: z.literal(true) }).meta({ id: 'StripeDeletedTestClock' });
const frozenTime = sInt(0, 2 ** 40);

/** Secret key only, like Sandpay's own clock routes: the clock is the whole tenant's. */
const secretWrite = { write: true as const };

/** stripe.testHelpers.testClocks (test-clocks.ts says how they map onto the tenant's one clock). */
export const testClockRoutes = [
  route({
    ...base, ...secretWrite, method: 'post', path: '/v1/test_helpers/test_clocks', summary: "Create a test clock (Stripe): the tenant's one clock, moved to frozen_time when later",
    body: z.strictObject({ frozen_time: frozenTime, name: z.string().max(300).optional(), customer: z.string().max(200).optional(), expand }), response: testClock, errors: [400, 404],
    example: { frozen_time: 2_000_000_000, name: 'Annual renewal' },
    handler: async ({ t, svc, ctx, body }) => testClockObject(await createTestClock(t, svc, ctx, body.frozen_time), body.name ?? null),
  }),
  route({
    ...base, method: 'get', path: '/v1/test_helpers/test_clocks', summary: "List test clocks (Stripe): the tenant's one clock", query: z.strictObject(listParams), response: listOf(testClock),
    handler: async ({ ctx }) => ({ object: 'list' as const, data: [testClockObject(ctx.tenant)], has_more: false, url: listUrl('test_helpers/test_clocks') }),
  }),
  route({
    ...base, method: 'get', path: '/v1/test_helpers/test_clocks/:id', summary: 'Retrieve a test clock (Stripe)', params: idParams, query: z.strictObject({ expand }), response: testClock,
    handler: async ({ ctx, params: p }) => testClockObject(ownClock(ctx, p.id)),
  }),
  route({
    ...base, ...secretWrite, method: 'post', path: '/v1/test_helpers/test_clocks/:id/advance', summary: 'Advance a test clock (Stripe): status advancing, then ready',
    params: idParams, body: z.strictObject({ frozen_time: frozenTime, expand }), response: testClock, errors: [400, 404], example: { frozen_time: 2_000_000_000 },
    handler: async ({ t, svc, ctx, params: p, body }) => {
      ownClock(ctx, p.id);
      return testClockObject(await advanceTestClock(t, svc, ctx, body.frozen_time));
    },
  }),
  route({
    ...base, ...secretWrite, method: 'delete', path: '/v1/test_helpers/test_clocks/:id', summary: 'Delete a test clock (Stripe): back to real time, only for a tenant with no objects',
    params: idParams, response: deleted, errors: [400, 404],
    handler: async ({ t, svc, ctx, params: p }) => {
      ownClock(ctx, p.id);
      return deleteTestClock(t, svc, ctx);
    },
  }),
];

import { listOf } from '../../../core/schemas.ts';
import { entryView, requestLogObject, requestLogQuery } from '../../../request-log/schemas.ts';
import { listRequestLog } from '../../../request-log/store.ts';
import { pageArgs, route } from '../../../routing/route.ts';

export const requestLogRoutes = [
  route({
    method: 'get', path: '/api/v1/request-log', auth: 'secret', tag: 'Request log',
    summary: 'Your recent API requests, newest first',
    description:
      'Every request made with your keys (and every action taken in the dashboard), as Sandpay answered it: status, latency, Idempotency-Key, request id, ' +
      'error, and bodies with card numbers, cvc, keys and secrets redacted. Kept up to 72 hours and at most the last 1,000 requests; lines appear about 100 ms after the response.',
    query: requestLogQuery, response: listOf(requestLogObject),
    handler: ({ db, ctx, query }) => listRequestLog(db, ctx.tenant.id, query, pageArgs(query), entryView),
  }),
];

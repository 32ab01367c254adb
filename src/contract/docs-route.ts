import { z } from 'zod';
import { buildOpenApi, introduction } from './openapi.ts';
import { route, type AnyRoute, type RawReply } from '../routing/route.ts';

/**
 * The OpenAPI document of the whole table, public like /docs. `servers` and the introduction's
 * commands name this Sandpay as the caller reached it (PUBLIC_URL behind a proxy), so /docs shows
 * the port it is actually served on.
 */
export function openApiRoute(routes: () => readonly AnyRoute[]): AnyRoute {
  let doc: Record<string, unknown> & { info?: Record<string, unknown> } | null = null;
  return route({
    method: 'get', path: '/api/v1/openapi.json', auth: 'none', tag: 'Health', summary: 'This API as an OpenAPI 3.1 document',
    response: z.looseObject({ openapi: z.literal('3.1.0') }), produces: 'application/json',
    handler: async ({ baseUrl }) => {
      doc ??= buildOpenApi(routes());
      const base = doc;
      return {
        raw: (res) => void res.json({ ...base, info: { ...base.info, description: introduction(baseUrl) }, servers: [{ url: baseUrl }] }),
      } satisfies RawReply;
    },
  });
}

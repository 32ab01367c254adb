import { z } from 'zod';
import { buildOpenApi } from '../openapi.ts';
import { route, type AnyRoute, type RawReply } from '../route.ts';

/** The OpenAPI document of the whole table, public like /docs; `servers` names the host it was asked on. */
export function openApiRoute(routes: () => readonly AnyRoute[]): AnyRoute {
  let doc: Record<string, unknown> | null = null;
  return route({
    method: 'get', path: '/api/v1/openapi.json', auth: 'none', tag: 'Health', summary: 'This API as an OpenAPI 3.1 document',
    response: z.looseObject({ openapi: z.literal('3.1.0') }), produces: 'application/json',
    handler: async () => {
      doc ??= buildOpenApi(routes());
      const base = doc;
      return {
        raw: (res) => void res.json({ ...base, servers: [{ url: `${res.req.protocol}://${res.req.get('host')}` }] }),
      } satisfies RawReply;
    },
  });
}

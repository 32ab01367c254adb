import { readFileSync } from 'node:fs';
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApi, openApiText } from '../../src/contract/openapi.ts';
import { route } from '../../src/routing/route.ts';
import { ROUTES } from '../../src/contract/table.ts';
import { EVENT_TYPES } from '../../src/events/events.ts';
import { checkAnswer, checkError } from '../../src/http/contract-check.ts';
import { Client } from '../support/client.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({ SANDPAY_ROLE: 'api' });
});
afterAll(() => sys?.stop());

const spec = () => buildOpenApi(ROUTES) as { paths: Record<string, Record<string, unknown>>; webhooks: Record<string, unknown> };

describe('the OpenAPI document', () => {
  it('passes an independent OpenAPI 3.1 validator', async () => {
    const result = await validate(structuredClone(spec()) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('describes every route of the table and nothing else, and every webhook event', () => {
    const doc = spec();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    // A face that publishes its own reference (Stripe's) stays out: its paths share /v1 with Razorpay's.
    const table = ROUTES.filter((r) => r.face?.documented !== false).map((r) => `${r.method} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
    expect(table.length).toBeGreaterThan(40);
    expect(documented.sort()).toEqual(table.sort());
    expect(Object.keys(doc.webhooks).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('names no tag "Webhooks", the title the reference gives the event bodies (else it lists "Webhooks" twice)', () => {
    const doc = buildOpenApi(ROUTES) as { tags: Array<{ name: string }> };
    expect(doc.tags.map((t) => t.name.toLowerCase())).not.toContain('webhooks');
  });

  it('is committed up to date in openapi.json (npm run openapi rewrites it)', () => {
    expect(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'), 'openapi.json is stale: run npm run openapi').toBe(openApiText(ROUTES));
  });

  it('is served without a key, naming the host it was asked on', async () => {
    const res = await new Client(sys.url).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.servers).toEqual([{ url: sys.url }]);
    // The introduction's commands use that origin too, not a port Sandpay may not be on.
    expect(res.body.info.description).toContain(`B=${sys.url}/api/v1\n`);
    expect(res.body.info.description).not.toContain('127.0.0.1:3000');
    expect(res.body.paths['/api/v1/payments'].post.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(res.body.components.securitySchemes.secretKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(res.body.components.schemas.Error).toBeDefined();
  });
});

describe("the README's API table", () => {
  it('names only routes that exist under /api/v1, its base path (the root ones, such as /health, are listed apart)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('| Resource | Routes |');
    expect(start).toBeGreaterThan(0);
    const table = readme.slice(start, readme.indexOf('\n\n', start));
    const known = new Set(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    const named = [...table.matchAll(/`((?:GET|POST|PATCH|DELETE)(?:\/(?:GET|POST|PATCH|DELETE))*) (\/[^`\s?]*)/g)]
      .flatMap((m) => m[1]!.split('/').map((method) => `${method} /api/v1${m[2]}`));
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter((r) => !known.has(r))).toEqual([]);
  });
});

describe('the contract check (on in tests)', () => {
  const probe = route({
    method: 'get', path: '/probe', auth: 'secret', tag: 't', summary: 's', response: z.strictObject({ id: z.string() }),
    handler: async () => ({ id: 'x' }),
  });

  it('fails an answer whose body drifts from its schema, or whose status is not the declared one', () => {
    expect(() => checkAnswer(probe, 200, '{"id":"x"}')).not.toThrow();
    expect(() => checkAnswer(probe, 200, '{"id":1}')).toThrow(/contract|schema/);
    expect(() => checkAnswer(probe, 200, '{"id":"x","extra":true}')).toThrow(/schema/);
    expect(() => checkAnswer(probe, 201, '{"id":"x"}')).toThrow(/201/);
  });

  it('fails an error status the route does not declare', () => {
    const body = { error: { type: 'state_error', code: 'c', message: 'm', request_id: 'r' } };
    expect(checkError(probe, 401, body)).toBeNull();
    expect(checkError(probe, 409, body)?.code).toBe('contract_violation');
  });
});

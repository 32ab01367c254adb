import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant } from '../support/client.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const run = promisify(execFile);
const EXAMPLE = new URL('../../examples/typed-client/', import.meta.url);

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(() => sys?.stop());

describe('examples/typed-client', () => {
  it('has types generated from the current openapi.json (npm run openapi)', async () => {
    const fresh = astToString(await openapiTS(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')));
    const committed = readFileSync(new URL('schema.d.ts', EXAMPLE), 'utf8');
    // openapi-typescript's CLI adds a header comment; the types themselves must match.
    expect(committed.endsWith(fresh), 'examples/typed-client/schema.d.ts is stale: run npm run openapi').toBe(true);
  });

  it('runs against Sandpay: order, payment, refund, and a typed 404', async () => {
    const t = await registerTenant(sys.url);
    const { stdout } = await run(process.execPath, [new URL('client.ts', EXAMPLE).pathname], { env: { ...process.env, SANDPAY_URL: sys.url, SANDPAY_API_KEY: t.sk } });
    const out = JSON.parse(stdout.trim());
    expect(out).toMatchObject({ status: 'success', refund: { amount: 2000, status: 'pending' }, missing: 'resource_missing' });
    expect((await t.api.get(`/payments/${out.payment}`)).body.order_id).toBe(out.order);
  });
});

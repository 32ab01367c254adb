import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { Client, expectError, registerTenant } from '../support/client.ts';
import { adminQuery } from '../support/postgres.ts';
import { ADMIN_TOKEN, startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({ DB_CONNECT_TIMEOUT_MS: '1000' });
});
afterAll(() => sys?.stop());

describe('when the database is gone', () => {
  it('readiness turns 503, liveness stays 200, and API calls answer 503 in the error shape', async () => {
    const root = new Client(sys.url);
    const t = await registerTenant(sys.url);
    expect((await root.get('/health/ready')).status).toBe(200);

    await adminQuery(inject('pgAdminUrl'), `DROP DATABASE ${pg.escapeIdentifier(sys.databaseName)} WITH (FORCE)`);

    const ready = await root.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database).toBe(false);
    expect((await root.get('/health')).status).toBe(200);
    expectError(await t.api.get('/auth/me'), 503, { type: 'api_error', code: 'service_unavailable' });
    expect((await root.get('/api/v1/health/db', { key: ADMIN_TOKEN })).status).toBe(503);
  });
});

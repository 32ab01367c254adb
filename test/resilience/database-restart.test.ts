import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { freePort, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.ts';
import { createLogger } from '../../src/logger.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { Client, expectError, idemKey, registerTenant, type ApiResponse } from '../support/client.ts';
import { cardBody, eventually } from '../support/payments.ts';
import { testEnv } from '../support/system.ts';

const log = createLogger('silent');
let dir: string;
let port: number;
let pgServer: EmbeddedPostgres | undefined;
let rt: Runtime | undefined;

// Its own Postgres: stopping the shared test server would break every other test file.
const startPg = () => startEmbeddedPostgres({ dataDir: dir, port, database: 'sandpay', log, persistent: true, postgresFlags: ['-c', 'fsync=off'] });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sandpay-restart-'));
  await chmod(dir, 0o755);
  port = await freePort();
  pgServer = await startPg();
  rt = await startRuntime(loadConfig(testEnv(pgServer.url, { DB_CONNECT_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '3000' })), log);
}, 120_000);
afterAll(async () => {
  await rt?.stop();
  await pgServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the database restarts while requests run', () => {
  it('answers 503 during the outage, readiness goes 503 then 200, and every 2xx payment exists afterwards', async () => {
    const root = new Client(rt!.url!);
    const t = await registerTenant(rt!.url!);
    const responses: ApiResponse[] = [];
    let running = true;
    // Four clients creating payments back to back for the whole test.
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (running) {
          responses.push(await t.api.post('/payments', cardBody(), { idem: idemKey() }));
          await new Promise((r) => setTimeout(r, 10));
        }
      }),
    );
    await eventually(async () => responses.filter((r) => r.status === 201).length, (n) => n >= 20);

    await pgServer!.stop();
    const outage = await eventually(() => root.get('/health/ready'), (r) => r.status === 503);
    expect(outage.body.checks.database).toBe(false);
    expect((await root.get('/health')).status).toBe(200);
    const during = await t.api.post('/payments', cardBody(), { idem: idemKey() });
    expectError(during, 503, { type: 'api_error' });
    expect(during.headers.get('retry-after')).toBe('1');
    const okBeforeRestart = responses.filter((r) => r.status === 201).length;

    pgServer = await startPg();
    await eventually(() => root.get('/health/ready'), (r) => r.status === 200, 30_000);
    await eventually(async () => responses.filter((r) => r.status === 201).length, (n) => n >= okBeforeRestart + 20, 30_000);
    running = false;
    await load;

    // Only 201 or 503, never a 500 or a hang, and every acknowledged payment was kept.
    const statuses = new Set(responses.map((r) => r.status));
    expect([...statuses].filter((s) => s !== 201 && s !== 503)).toEqual([]);
    for (const r of responses.filter((x) => x.status === 503)) expectError(r, 503, { type: 'api_error' });
    const acknowledged = responses.filter((r) => r.status === 201).map((r) => r.body.id as string);
    const stored = await rt!.db.rows<{ id: string }>('SELECT id FROM payments WHERE id = ANY($1::text[])', [acknowledged]);
    expect(stored).toHaveLength(acknowledged.length);
    expect(responses.some((r) => r.status === 503)).toBe(true);
  }, 120_000);
});

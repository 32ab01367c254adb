import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { registerTenant, type TestTenant } from '../support/client.ts';
import { CliProcess, VerifyingReceiver } from '../support/cli.ts';
import { createPayment, eventually } from '../support/payments.ts';
import { createTestDatabase, testEnv } from '../support/system.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let port: number;
let server: { child: ChildProcess; exited: Promise<unknown> } | undefined;
let rx: VerifyingReceiver;
let cli: CliProcess | undefined;

/** Sandpay as its own process (`node app.ts`) on a fixed port, so the CLI reconnects to the same URL. */
async function startServer(): Promise<void> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'app.ts')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...testEnv(database.url, { PORT: String(port), EVENT_STREAM_HEARTBEAT_MS: '1000' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  server = { child, exited };
  await eventually(async () => ({ out, code: child.exitCode }), (s) => s.out.includes('Sandpay is running at') || s.code !== null, 60_000);
  if (!out.includes('Sandpay is running at')) throw new Error(`Sandpay did not start:\n${out}`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  port = await freePort();
  rx = await new VerifyingReceiver().start();
  await startServer();
});
afterAll(async () => {
  cli?.kill();
  server?.child.kill('SIGKILL');
  await server?.exited;
  await rx?.stop();
  await database?.drop();
});

describe('sandpay listen across a Sandpay crash', () => {
  it('reconnects after SIGKILL and a restart, replays what committed meanwhile, and forwards every event exactly once', async () => {
    const t: TestTenant = await registerTenant(`http://127.0.0.1:${port}`);
    cli = new CliProcess(['listen', '--forward-to', rx.url], { SANDPAY_URL: `http://127.0.0.1:${port}`, SANDPAY_API_KEY: t.sk });
    rx.secret = (await cli.waitFor(/Ready! Your webhook signing secret is (whsec_\S+)/))[1]!;

    for (let i = 0; i < 3; i++) await createPayment(t.api);
    await rx.waitForCount(6);

    server!.child.kill('SIGKILL');
    await server!.exited;
    await cli.waitFor(/Lost connection to Sandpay/, 'stderr');
    await startServer();
    // Committed while the CLI is still backing off: only the replay from the table can bring these.
    for (let i = 0; i < 3; i++) await createPayment(t.api);
    await cli.waitFor(/Reconnected to Sandpay; resuming after \d+-\d+/, 'stderr', 60_000);
    await rx.waitForCount(12, 60_000).catch(async (err: Error) => {
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      const xids = (await c.query("SELECT pid, datname, state, backend_xid::text, xact_start, left(query, 120) AS q FROM pg_stat_activity WHERE backend_xid IS NOT NULL")).rows;
      const ev = (await c.query('SELECT e.id, e.type, e.tx::text, e.pos::text FROM events e ORDER BY e.tx, e.pos')).rows;
      const snap = (await c.query('SELECT pg_current_snapshot()::text AS s')).rows;
      await c.end();
      throw new Error(`${err.message.slice(0, 200)}\nreceived ${rx.received.length}\nCLI stdout:\n${cli!.stdout}\nCLI stderr:\n${cli!.stderr}\nxids ${JSON.stringify(xids)}\nevents ${JSON.stringify(ev)}\nsnapshot ${JSON.stringify(snap)}`);
    });

    // One more after everything: the stream is in order, so a repeat of anything earlier would
    // have arrived before these two.
    await createPayment(t.api);
    const got = await rx.waitForCount(14, 60_000);
    const all = (await t.api.get('/events?limit=100')).body.data.map((e: { id: string }) => e.id).reverse();
    expect(all).toHaveLength(14);
    expect(got.map((r) => r.id)).toEqual(all);
    expect(got.every((r) => r.standardOk && r.simpleOk)).toBe(true);
    expect(cli.stdout.match(/ -> 200 /g)).toHaveLength(14);
  }, 180_000);
});

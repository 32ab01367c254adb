import { ConfigError, loadConfig } from './src/config.ts';
import { classifyDbError } from './src/db/errors.ts';
import { createLogger } from './src/logger.ts';
import { startRuntime, type Runtime } from './src/runtime.ts';

function banner(rt: Runtime): string {
  const lines = ['', `  Sandpay is running at ${rt.url ?? '(worker only, no HTTP)'}`];
  if (rt.url) lines.push(`  Dashboard: ${rt.url}/dashboard (sign in with your secret key, or the admin token for the operator pages)`);
  lines.push(
    rt.database.kind === 'embedded'
      ? `  Database: embedded PostgreSQL, data in ${rt.database.dataDir}`
      : `  Database: ${rt.database.host} (DATABASE_URL)`,
  );
  lines.push(
    rt.config.webhooks.allowPrivate
      ? '  Webhooks to private addresses: allowed (set WEBHOOK_ALLOW_PRIVATE=false to refuse them)'
      : '  Webhooks to private addresses: refused (set WEBHOOK_ALLOW_PRIVATE=true to allow them)',
  );
  if (!rt.adminToken) lines.push('  Admin API: disabled (set ADMIN_TOKEN to enable it)');
  else if (rt.adminToken.generated) lines.push(`  Admin token (shown once, kept in ${rt.adminToken.file}): ${rt.adminToken.value}`);
  else lines.push(`  Admin token: ${rt.adminToken.file ? `in ${rt.adminToken.file}` : 'from ADMIN_TOKEN'}`);
  if (rt.url) {
    lines.push(
      '',
      '  Get test keys (the answer holds your sk_test_ and pk_test_ keys and whsec_ secret):',
      `    curl -s -X POST ${rt.url}/api/v1/auth/register -H 'Content-Type: application/json' \\`,
      `      -d '{"name":"My Shop","email":"dev@example.com"}'`,
      '  Then:',
      `    curl -s ${rt.url}/api/v1/auth/me -H 'Authorization: Bearer sk_test_...'`,
    );
  }
  return lines.join('\n') + '\n';
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);

  let runtime: Runtime | null = null;
  let firstSignalAt: number | null = null;
  const stop = (rt: Runtime) => {
    // From here on the database may close our connections before we do (an external one
    // stopping at the same time: 57P01). pg-boss's LISTEN client drops its error listener before
    // its connection has closed, so such an error would be uncaught and end us with a stack.
    process.on('uncaughtException', (err) => {
      if (classifyDbError(err) === 'unavailable') return void log.warn({ err: err.message }, 'the database closed a connection during shutdown');
      log.fatal({ err }, 'uncaught exception during shutdown');
      process.exit(1);
    });
    rt.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== null) {
      // One Ctrl-C under `npm start` arrives twice: from the terminal to the whole process group,
      // and forwarded by npm. Only a second press, seconds later, means "now": skip the graceful path.
      if (Date.now() - firstSignalAt < 3000) return;
      process.exit(130);
    }
    firstSignalAt = Date.now();
    log.info({ signal }, runtime ? 'shutting down' : 'shutting down once started');
    if (runtime) stop(runtime);
  };
  // Listening from the start: a signal during start-up stops what has started, in order, once it
  // has (an embedded Postgres runs in its own process group and would otherwise be left running).
  // Not SIGHUP: a handler would override the SIG_IGN that `nohup` leaves.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);

  runtime = await startRuntime(config, log);
  if (firstSignalAt !== null) return stop(runtime);
  process.stdout.write(banner(runtime));
}

main().catch((err: unknown) => {
  const hint = (err as { code?: string }).code === 'EADDRINUSE' ? ' (another program has this port: set PORT, e.g. PORT=3001 npm start)' : '';
  console.error(`Sandpay failed to start: ${err instanceof Error ? err.message : String(err)}${hint}`);
  process.exit(1);
});

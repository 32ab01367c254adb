import { ConfigError, loadConfig } from './src/config.ts';
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
  const runtime = await startRuntime(config, log);
  process.stdout.write(banner(runtime));

  let signals = 0;
  const shutdown = (signal: string) => {
    // A second signal means "now": skip the graceful path.
    if (++signals > 1) process.exit(130);
    log.info({ signal }, 'shutting down');
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  const hint = (err as { code?: string }).code === 'EADDRINUSE' ? ' (another program has this port: set PORT, e.g. PORT=3001 npm start)' : '';
  console.error(`Sandpay failed to start: ${err instanceof Error ? err.message : String(err)}${hint}`);
  process.exit(1);
});

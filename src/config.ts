import net from 'node:net';
import { z } from 'zod';
import { ConfigError } from './core/errors.ts';
import { parseAdminKeys, type VerifyingKey } from './core/public-keys.ts';

/** Comma-separated list; blank entries are dropped. */
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** Seconds to wait before each retry, e.g. "5,300,1800"; "none" means a single attempt. */
const retrySchedule = list
  .transform((xs) => (xs.length === 1 && xs[0] === 'none' ? [] : xs.map(Number)))
  .pipe(z.array(z.number().int('must be whole seconds').min(0).max(7 * 24 * 3600)).max(20));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SANDPAY_ROLE: z.enum(['all', 'api', 'worker']).default('all'),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional(),
  DATA_DIR: z.string().min(1).default('.sandpay'),
  EMBEDDED_PG_PORT: int(0, 65535).default(0),
  DB_POOL_MAX: int(2, 500).default(20),
  DB_CONNECT_TIMEOUT_MS: int(100, 120_000).default(3000),
  DB_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(15_000),

  ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    // `ADMIN_TOKEN=abc  # comment` in a .env file (Compose 1.29) makes the comment part of the value.
    .refine((s) => !/[\s#]/.test(s), "must not contain whitespace or '#' (an inline comment in .env becomes part of the value)")
    .optional(),
  // A PEM public key (newlines may be written \n) or a JWKS document: operators' service tokens.
  ADMIN_JWT_PUBLIC_KEY: z
    .string()
    .transform((v, ctx) => {
      try {
        return parseAdminKeys(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  CORS_ORIGINS: list.default([]),
  MAX_INFLIGHT_REQUESTS: int(1).default(1000),
  SHUTDOWN_TIMEOUT_MS: int(100).default(10_000),

  RATE_LIMIT_WINDOW_MS: int(1000).default(60_000),
  RATE_LIMIT_TENANT_MAX: int(1).default(1000),
  RATE_LIMIT_REGISTER_MAX: int(1).default(20),
  RATE_LIMIT_PUBLISHABLE_MAX: int(1).default(120),
  TENANT_MAX_INFLIGHT: int(1).optional(),
  SANDPAY_MASTER_KEY: z.string().optional(),

  IDEMPOTENCY_LOCK_TIMEOUT_MS: int(50, 60_000).default(5000),
  IDEMPOTENCY_TTL_HOURS: int(1, 24 * 30).default(24),

  PAYMENT_PENDING_TTL_SECONDS: int(1).default(15 * 60),
  PAYMENT_AUTHORIZED_TTL_SECONDS: int(1).default(7 * 24 * 3600),
  REFUND_PROCESS_DELAY_MS: int(0, 3_600_000).default(1000),
  AUDIT_SEAL_DELAY_MS: int(0, 5000).default(50),

  WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(10_000),
  WEBHOOK_RETRY_SCHEDULE: retrySchedule.default([5, 300, 1800, 7200, 18000, 36000]),
  WEBHOOK_ALLOW_PRIVATE: bool.optional(),
  WEBHOOK_CONCURRENCY: int(1, 200).default(16),
  WEBHOOK_MAX_RETRY_AFTER_SECONDS: int(0).default(24 * 3600),

  JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(1),
  JOB_LISTEN_NOTIFY: bool.default(true),
  JOB_EXPIRE_SECONDS: int(1, 3600).default(60),
  JOB_SUPERVISE_SECONDS: int(1, 3600).default(30),
  RECONCILE_CRON: z.string().min(9).default('* * * * *'),
  RECONCILE_STUCK_DELIVERY_SECONDS: int(1).default(120),
  EVENT_STREAM_HEARTBEAT_MS: int(100, 300_000).default(15_000),
  FAULT_MAX_MS: int(0, 600_000).default(30_000),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string | undefined;
  logLevel: string;
  role: 'all' | 'api' | 'worker';
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  db: { poolMax: number; connectTimeoutMs: number; statementTimeoutMs: number };
  adminToken: string | undefined;
  /** ADMIN_JWT_PUBLIC_KEY, parsed once: verifies operators' service tokens (src/credentials/service-tokens.ts); empty: ADMIN_TOKEN only. */
  adminJwtKeys: VerifyingKey[];
  corsOrigins: string[];
  maxInflightRequests: number;
  shutdownTimeoutMs: number;
  rateLimit: { windowMs: number; tenantMax: number; registerMax: number; publishableMax: number };
  /** Requests one tenant may have in flight in this process (a fair share of the pool). */
  tenantMaxInflight: number;
  /** 32 bytes, hex or base64; parsed by src/secrets/keys.ts, which never echoes it. */
  masterKey: string | undefined;
  idempotency: { lockTimeoutMs: number; ttlHours: number };
  payments: { pendingTtlSeconds: number; authorizedTtlSeconds: number; refundDelayMs: number };
  /** How long the audit sealer gathers commits' kicks before sealing their chains (src/audit/sealer.ts). */
  audit: { sealDelayMs: number };
  webhooks: {
    timeoutMs: number;
    retrySchedule: number[];
    allowPrivate: boolean;
    concurrency: number;
    maxRetryAfterSeconds: number;
  };
  jobs: { pollSeconds: number; listenNotify: boolean; expireSeconds: number; superviseSeconds: number };
  reconcile: { cron: string; stuckDeliverySeconds: number };
  eventStream: { heartbeatMs: number };
  /** Upper bound of an injected latency, and how long an injected timeout holds a request. */
  faultMaxMs: number;
}

export { ConfigError };

/**
 * Variables whose value is never echoed in an error: tokens, keys (a private key pasted as the
 * public one, too) and connection strings (they may hold a password).
 */
const SECRET_VARS = new Set(['ADMIN_TOKEN', 'ADMIN_JWT_PUBLIC_KEY', 'DATABASE_URL', 'SANDPAY_MASTER_KEY']);

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = net.isIP(h);
  return family !== 0 && LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Parses the environment once. Throws a ConfigError whose message is one line naming the
 * offending variable, so startup can print it and exit.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" (a blank line in .env), not "invalid".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const got = SECRET_VARS.has(name) ? '' : ` (got ${JSON.stringify(env[name] ?? null)})`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}${got}`);
  }
  const e = parsed.data;
  // Outside production private webhook targets are allowed by default, so a server reachable
  // from the network would let anyone there make it call into this machine's network (SSRF).
  if (e.NODE_ENV !== 'production' && e.WEBHOOK_ALLOW_PRIVATE === undefined && !isLoopbackHost(e.HOST)) {
    throw new ConfigError(
      `Invalid configuration: HOST ${JSON.stringify(e.HOST)} is not a loopback address; with NODE_ENV=${e.NODE_ENV} webhooks may target private addresses, so set NODE_ENV=production or WEBHOOK_ALLOW_PRIVATE=false (or =true to accept that) to listen beyond this machine`,
    );
  }
  if (e.WEBHOOK_TIMEOUT_MS / 1000 + 5 > e.JOB_EXPIRE_SECONDS) {
    throw new ConfigError(
      `Invalid configuration: JOB_EXPIRE_SECONDS must exceed WEBHOOK_TIMEOUT_MS by at least 5 s (got ${e.JOB_EXPIRE_SECONDS})`,
    );
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    role: e.SANDPAY_ROLE,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    db: { poolMax: e.DB_POOL_MAX, connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS, statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS },
    adminToken: e.ADMIN_TOKEN,
    adminJwtKeys: e.ADMIN_JWT_PUBLIC_KEY ?? [],
    corsOrigins: e.CORS_ORIGINS,
    maxInflightRequests: e.MAX_INFLIGHT_REQUESTS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    rateLimit: { windowMs: e.RATE_LIMIT_WINDOW_MS, tenantMax: e.RATE_LIMIT_TENANT_MAX, registerMax: e.RATE_LIMIT_REGISTER_MAX, publishableMax: e.RATE_LIMIT_PUBLISHABLE_MAX },
    tenantMaxInflight: e.TENANT_MAX_INFLIGHT ?? Math.max(2, Math.floor(e.DB_POOL_MAX / 2)),
    masterKey: e.SANDPAY_MASTER_KEY,
    idempotency: { lockTimeoutMs: e.IDEMPOTENCY_LOCK_TIMEOUT_MS, ttlHours: e.IDEMPOTENCY_TTL_HOURS },
    payments: {
      pendingTtlSeconds: e.PAYMENT_PENDING_TTL_SECONDS,
      authorizedTtlSeconds: e.PAYMENT_AUTHORIZED_TTL_SECONDS,
      refundDelayMs: e.REFUND_PROCESS_DELAY_MS,
    },
    audit: { sealDelayMs: e.AUDIT_SEAL_DELAY_MS },
    webhooks: {
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retrySchedule: e.WEBHOOK_RETRY_SCHEDULE,
      // Developers receive webhooks on their own laptop, so only production refuses private targets by default.
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE ?? e.NODE_ENV !== 'production',
      concurrency: e.WEBHOOK_CONCURRENCY,
      maxRetryAfterSeconds: e.WEBHOOK_MAX_RETRY_AFTER_SECONDS,
    },
    jobs: { pollSeconds: e.JOB_POLL_SECONDS, listenNotify: e.JOB_LISTEN_NOTIFY, expireSeconds: e.JOB_EXPIRE_SECONDS, superviseSeconds: e.JOB_SUPERVISE_SECONDS },
    reconcile: { cron: e.RECONCILE_CRON, stuckDeliverySeconds: e.RECONCILE_STUCK_DELIVERY_SECONDS },
    eventStream: { heartbeatMs: e.EVENT_STREAM_HEARTBEAT_MS },
    faultMaxMs: e.FAULT_MAX_MS,
  };
}

/**
 * npm run demo: a tiny merchant site on its own origin that takes a payment through Sandpay's
 * checkout, end to end. Its server creates the order with the secret key, its page opens
 * checkout.js with the publishable key, its server verifies the signed result, and it shows the
 * webhooks Sandpay sends it.
 *
 * It uses the Sandpay at SANDPAY_URL (default http://127.0.0.1:$PORT, PORT being Sandpay's port
 * as for `npm start`, default 3000) and, when none answers there and SANDPAY_URL is unset, starts
 * one in this process on PORT (unset: 3000, or any free port when 3000 is taken), with the same
 * settings as `npm start` (embedded PostgreSQL in DATA_DIR, default .sandpay, unless
 * DATABASE_URL). The merchant listens on DEMO_PORT (default 4242, or any free port when taken)
 * and is shown as http://localhost:DEMO_PORT: another origin than Sandpay's 127.0.0.1, as a real
 * shop would be.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyWebhook } from '../../src/webhooks/verify.ts';

const PAGE = path.join(import.meta.dirname, 'index.html');
const ENDPOINT_DESCRIPTION = 'Sandpay demo merchant';

export interface DemoKeys {
  tenant_id: string;
  secret_key: string;
  publishable_key: string;
  webhook_secret: string;
}

export interface ReceivedWebhook {
  id: string;
  type: string;
  verified: boolean;
  object_id: string;
  order_id: string | null;
  payment_id: string | null;
  received_at: string;
}

export interface DemoMerchant {
  /** The shop's page, e.g. http://localhost:4242 */
  url: string;
  keys: DemoKeys;
  webhooks: ReceivedWebhook[];
  stop(): Promise<void>;
}

export interface DemoOptions {
  sandpayUrl: string;
  /** 0 = any free port. */
  port?: number;
  /** Where to keep the demo tenant's keys between runs (none: register a new tenant each start). */
  dataDir?: string;
  /** Price of the one product, in paise. */
  amount?: number;
}

// ----- the signature check: the five lines the README shows -----

export function verifyCheckoutSignature(webhookSecret: string, orderId: string, paymentId: string, signature: string): boolean {
  const expected = createHmac('sha256', webhookSecret).update(`${orderId}|${paymentId}`).digest();
  const given = Buffer.from(/^[0-9a-f]{64}$/i.test(signature) ? signature : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// ----- talking to Sandpay -----

async function sandpay<T = any>(base: string, key: string | null, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${p}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as any;
  if (!res.ok) throw Object.assign(new Error(`${method} ${p}: ${res.status} ${json?.error?.message ?? ''}`), { status: res.status });
  return json as T;
}

async function demoKeys(base: string, dataDir: string | undefined): Promise<DemoKeys> {
  const file = dataDir ? path.join(dataDir, 'demo-merchant.json') : null;
  if (file && existsSync(file)) {
    const saved = JSON.parse(await readFile(file, 'utf8')) as DemoKeys;
    // Kept only while this Sandpay still knows the key (a new database forgets the tenant).
    if (await sandpay(base, saved.secret_key, 'GET', '/auth/me').then(() => true, () => false)) return saved;
  }
  const t = await sandpay(base, null, 'POST', '/auth/register', { name: 'Demo Shop', email: `demo-${randomBytes(5).toString('hex')}@example.com` });
  const keys = { tenant_id: t.id, secret_key: t.secret_key, publishable_key: t.publishable_key, webhook_secret: t.webhook_secret };
  if (file) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  }
  return keys;
}

/** One endpoint for this run, pointing at this server (the secret is shown only when created). */
async function subscribe(base: string, sk: string, url: string): Promise<string> {
  const list = await sandpay(base, sk, 'GET', '/webhook-endpoints?limit=100');
  for (const e of list.data as Array<{ id: string; description: string | null }>) {
    if (e.description === ENDPOINT_DESCRIPTION) await sandpay(base, sk, 'DELETE', `/webhook-endpoints/${e.id}`);
  }
  const ep = await sandpay(base, sk, 'POST', '/webhook-endpoints', { url, events: ['*'], description: ENDPOINT_DESCRIPTION });
  return ep.secret as string;
}

// ----- the merchant's HTTP server -----

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startDemoMerchant(opts: DemoOptions): Promise<DemoMerchant> {
  const base = opts.sandpayUrl.replace(/\/+$/, '');
  const amount = opts.amount ?? 49900;
  const keys = await demoKeys(base, opts.dataDir);
  const webhooks: ReceivedWebhook[] = [];
  let endpointSecret = '';
  let url = '';

  const server: Server = createServer(async (req, res) => {
    try {
      const u = new URL(req.url ?? '/', 'http://merchant');
      const route = `${req.method} ${u.pathname}`;
      if (route === 'GET /') {
        const html = (await readFile(PAGE, 'utf8')).replaceAll('__SANDPAY_URL__', base).replaceAll('__PUBLISHABLE_KEY__', keys.publishable_key);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        return res.end(html);
      }
      if (route === 'POST /api/orders') {
        const order = await sandpay(base, keys.secret_key, 'POST', '/orders', { amount, currency: 'INR', receipt: `demo-${Date.now()}` });
        return json(res, 201, { order_id: order.id, amount: order.amount, currency: order.currency });
      }
      if (route === 'POST /api/redirect-checkout') {
        const { order_id } = JSON.parse(await readBody(req)) as { order_id: string };
        const s = await sandpay(base, keys.secret_key, 'POST', '/checkout/sessions', {
          order_id, success_url: `${url}/?checkout=return`, cancel_url: `${url}/?checkout=cancelled`, description: 'Sandpay T-shirt',
          prefill: { email: 'customer@example.com' },
        });
        return json(res, 201, { url: s.url });
      }
      if (route === 'POST /api/verify') {
        // Trust the ids only once the signature checks out on the server.
        const r = JSON.parse(await readBody(req)) as { order_id?: string; payment_id?: string; signature?: string };
        const verified = typeof r.order_id === 'string' && typeof r.payment_id === 'string' && typeof r.signature === 'string' &&
          verifyCheckoutSignature(keys.webhook_secret, r.order_id, r.payment_id, r.signature);
        if (!verified) return json(res, 400, { verified: false });
        const payment = await sandpay(base, keys.secret_key, 'GET', `/payments/${encodeURIComponent(r.payment_id!)}`);
        const order = await sandpay(base, keys.secret_key, 'GET', `/orders/${encodeURIComponent(r.order_id!)}`);
        return json(res, 200, { verified: payment.order_id === order.id, payment_status: payment.status, order_status: order.status });
      }
      if (route === 'POST /webhooks') {
        const raw = await readBody(req);
        const result = verifyWebhook(raw, req.headers, endpointSecret);
        const event = JSON.parse(raw) as { id: string; type: string; data: { object: Record<string, any> } };
        const o = event.data.object;
        if (!webhooks.some((w) => w.id === event.id)) {
          webhooks.push({
            id: event.id, type: event.type, verified: result.valid, object_id: o.id,
            order_id: o.object === 'order' ? o.id : (o.order_id ?? null),
            payment_id: o.object === 'payment' ? o.id : (o.payment_id ?? null),
            received_at: new Date().toISOString(),
          });
        }
        return json(res, result.valid ? 200 : 400, { received: true });
      }
      if (route === 'GET /api/webhooks') {
        const order = u.searchParams.get('order_id');
        return json(res, 200, webhooks.filter((w) => !order || w.order_id === order));
      }
      json(res, 404, { error: 'not found' });
    } catch (err) {
      json(res, (err as { status?: number }).status === 404 ? 404 : 502, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4242, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://localhost:${port}`;
  endpointSecret = await subscribe(base, keys.secret_key, `http://127.0.0.1:${port}/webhooks`);
  // Only this shop's pages may open checkout with the demo's publishable key.
  await sandpay(base, keys.secret_key, 'PATCH', '/auth/settings', { checkout: { allowed_origins: [url] } });

  return {
    url,
    keys,
    webhooks,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ----- npm run demo -----

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1500) });
    return res.ok && ((await res.json()) as { status?: string }).status === 'ok';
  } catch {
    return false;
  }
}

async function portFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  // PORT is Sandpay's port here as everywhere (npm start); the shop's own is DEMO_PORT.
  const port = process.env.PORT || undefined;
  let sandpayUrl = (process.env.SANDPAY_URL ?? `http://127.0.0.1:${port ?? 3000}`).replace(/\/+$/, '');
  let stopSandpay: (() => Promise<void>) | null = null;
  let started = '';
  if (!(await answers(sandpayUrl))) {
    if (process.env.SANDPAY_URL) throw new Error(`No Sandpay answers at SANDPAY_URL=${sandpayUrl}`);
    if (port && port !== '0' && !(await portFree(Number(port)))) throw new Error(`PORT=${port} is taken by something that is not Sandpay; free it or choose another PORT`);
    const { loadConfig } = await import('../../src/config.ts');
    const { createLogger } = await import('../../src/logger.ts');
    const { startRuntime } = await import('../../src/runtime.ts');
    // A PORT that was asked for is kept; unset, 3000 if free, else any free port.
    const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, PORT: port ?? ((await portFree(3000)) ? '3000' : '0') });
    const runtime = await startRuntime(config, createLogger(config.logLevel));
    sandpayUrl = runtime.url!;
    stopSandpay = runtime.stop;
    started = runtime.database.kind === 'embedded' ? ` (started by the demo; embedded PostgreSQL in ${runtime.database.dataDir})` : ' (started by the demo)';
  }
  const wanted = Number(process.env.DEMO_PORT ?? 4242);
  const demo = await startDemoMerchant({
    sandpayUrl,
    port: (await portFree(wanted)) ? wanted : 0,
    dataDir: path.resolve(process.env.DATA_DIR ?? '.sandpay'),
  });
  console.log(`
  Sandpay:        ${sandpayUrl}${started}
  Demo merchant:  ${demo.url}

  Open ${demo.url}, press "Pay with Sandpay" and pay with 4242 4242 4242 4242 (any future expiry, CVC 123).
  Try 4000 0000 0000 0002 (declined), 4000 0000 0000 3220 (3-D Secure) or UPI pending@sandpay too.
  Ctrl-C stops.
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo.stop();
    await stopSandpay?.();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`Demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

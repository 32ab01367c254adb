/**
 * A small shop integrated with Razorpay the usual way: the official `razorpay` SDK on the server,
 * Razorpay's checkout.js with its documented options in the page, the checkout signature and the
 * webhook signature verified with the SDK's own helpers. Nothing in it knows Sandpay: pointed at
 * Sandpay by two settings, the API host and the checkout script URL, it runs its whole flow there.
 *
 *   RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET   the key pair (from Razorpay's dashboard, or Sandpay's POST /api/v1/auth/keys)
 *   RAZORPAY_WEBHOOK_SECRET                 the secret of the webhook pointed at /webhooks/razorpay
 *   RAZORPAY_API_URL                        default https://api.razorpay.com          (Sandpay: http://127.0.0.1:3000)
 *   RAZORPAY_CHECKOUT_URL                   default https://checkout.razorpay.com/v1/checkout.js  (Sandpay: http://127.0.0.1:3000/checkout.js)
 *   DEMO_PORT                               the shop's port, default 5000 (as for npm run demo: PORT is Sandpay's)
 *
 * The flow: POST /api/orders creates an order (captured by the server, payment_capture: 0); the
 * page opens checkout; its handler posts the result to /api/verify, which checks the signature,
 * fetches the payment and captures it; POST /api/refunds refunds part of it; /webhooks/razorpay
 * verifies and records every webhook. GET /api/state shows what happened.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Razorpay from 'razorpay';
import { validatePaymentVerification } from 'razorpay/dist/utils/razorpay-utils.js';

export interface ShopOptions {
  keyId: string;
  keySecret: string;
  webhookSecret: string;
  apiUrl?: string;
  checkoutUrl?: string;
  /** 0: any free port. */
  port?: number;
  /** Price of the one product, in paise. */
  amount?: number;
}

export interface ShopState {
  verifications: Array<{ order_id: string; payment_id: string; verified: boolean; status?: string }>;
  refunds: Array<{ id: string; payment_id: string; amount: number; status: string }>;
  webhooks: Array<{ event: string; verified: boolean; event_id: string | undefined; entity_id: string | undefined }>;
}

export interface Shop {
  url: string;
  state: ShopState;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startShop(opts: ShopOptions): Promise<Shop> {
  const razorpay = new Razorpay({ key_id: opts.keyId, key_secret: opts.keySecret });
  // The one line that points the SDK at another host (the SDK fixes api.razorpay.com in its constructor).
  if (opts.apiUrl) (razorpay.api as unknown as { rq: { defaults: { baseURL: string } } }).rq.defaults.baseURL = opts.apiUrl;
  const checkoutUrl = opts.checkoutUrl ?? 'https://checkout.razorpay.com/v1/checkout.js';
  const page = (await readFile(path.join(import.meta.dirname, 'index.html'), 'utf8')).replace('__CHECKOUT_URL__', checkoutUrl);
  const amount = opts.amount ?? 49900;
  const state: ShopState = { verifications: [], refunds: [], webhooks: [] };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://shop');
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(page);
    }
    if (req.method === 'GET' && url.pathname === '/api/state') return json(res, 200, state);
    if (req.method === 'POST' && url.pathname === '/api/orders') {
      const order = await razorpay.orders.create({ amount, currency: 'INR', receipt: `rcpt_${Date.now()}`, notes: { product: 'T-shirt' }, payment_capture: false });
      return json(res, 200, { key_id: opts.keyId, order_id: order.id, amount: order.amount, currency: order.currency });
    }
    if (req.method === 'POST' && url.pathname === '/api/verify') {
      const r = JSON.parse(await readBody(req)) as { razorpay_order_id: string; razorpay_payment_id: string; razorpay_signature: string };
      const verified = validatePaymentVerification({ order_id: r.razorpay_order_id, payment_id: r.razorpay_payment_id }, r.razorpay_signature, opts.keySecret);
      if (!verified) {
        state.verifications.push({ order_id: r.razorpay_order_id, payment_id: r.razorpay_payment_id, verified });
        return json(res, 400, { verified });
      }
      // Trust the ids only now, and capture the authorized amount.
      let payment = await razorpay.payments.fetch(r.razorpay_payment_id);
      if (payment.status === 'authorized') payment = await razorpay.payments.capture(payment.id, payment.amount, payment.currency);
      state.verifications.push({ order_id: r.razorpay_order_id, payment_id: payment.id, verified, status: payment.status });
      return json(res, 200, { verified, status: payment.status });
    }
    if (req.method === 'POST' && url.pathname === '/api/refunds') {
      const r = JSON.parse(await readBody(req)) as { payment_id: string; amount: number };
      const refund = await razorpay.payments.refund(r.payment_id, { amount: r.amount, notes: { reason: 'returned' } });
      state.refunds.push({ id: refund.id, payment_id: refund.payment_id, amount: refund.amount as number, status: refund.status });
      return json(res, 200, refund);
    }
    if (req.method === 'POST' && url.pathname === '/webhooks/razorpay') {
      const raw = await readBody(req);
      const verified = Razorpay.validateWebhookSignature(raw, String(req.headers['x-razorpay-signature'] ?? ''), opts.webhookSecret);
      const body = verified ? JSON.parse(raw) : {};
      const entity = body.payload?.[body.contains?.[0]]?.entity;
      state.webhooks.push({ event: body.event ?? '?', verified, event_id: req.headers['x-razorpay-event-id'] as string | undefined, entity_id: entity?.id });
      return json(res, verified ? 200 : 400, { ok: verified });
    }
    json(res, 404, { error: 'not found' });
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const e = err as { statusCode?: number; error?: unknown };
      json(res, e.statusCode ?? 500, { error: e.error ?? String(err) });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 5000, '127.0.0.1', resolve));
  // localhost: another origin than a Sandpay on 127.0.0.1, as a real shop's page would be.
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

if (import.meta.main) {
  const env = process.env;
  const need = (k: string) => env[k] ?? (console.error(`set ${k}`), process.exit(1));
  const shop = await startShop({
    keyId: need('RAZORPAY_KEY_ID'), keySecret: need('RAZORPAY_KEY_SECRET'), webhookSecret: need('RAZORPAY_WEBHOOK_SECRET'),
    apiUrl: env.RAZORPAY_API_URL, checkoutUrl: env.RAZORPAY_CHECKOUT_URL, port: Number(env.DEMO_PORT ?? 5000),
  });
  console.log(`Shop at ${shop.url} (webhooks: ${shop.url}/webhooks/razorpay)`);
}

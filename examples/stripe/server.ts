/**
 * A small shop's server integrated with Stripe the usual way: the official `stripe` SDK creates
 * and confirms PaymentIntents, captures and refunds them, tells a declined card by its typed error,
 * and verifies webhooks with `stripe.webhooks.constructEvent`. Nothing in it knows Sandpay: pointed
 * at Sandpay by the API host alone, it runs its whole flow there.
 *
 *   STRIPE_SECRET_KEY       sk_test_… (Sandpay's secret key is the Stripe secret key)
 *   STRIPE_WEBHOOK_SECRET   whsec_… of the endpoint pointed at /webhooks/stripe (answered once by webhookEndpoints.create)
 *   STRIPE_API_URL          default https://api.stripe.com   (Sandpay: http://127.0.0.1:3000)
 *   STRIPE_PUBLISHABLE_KEY  pk_test_…, for the Elements page (elements.ts: GET /elements)
 *   STRIPE_JS_URL           where Stripe.js comes from, default https://js.stripe.com (Sandpay: its URL, as STRIPE_API_URL)
 *   DEMO_PORT               the shop's port, default 5001
 *
 * Its API (JSON): POST /api/pay {payment_method, capture?: 'manual'} pays a $20.00 order and answers
 * the intent's status, or the decline (code, decline_code) with 402; POST /api/capture {id, amount?};
 * POST /api/refund {id, amount?}; POST /webhooks/stripe records each verified event; GET /api/state.
 * And its pages: /checkout, the Checkout Session redirect flow (checkout.ts), and /elements, the
 * Elements flow (elements.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { elementsFlow } from './elements.ts';
import { checkoutPages } from './checkout.ts';

export interface ShopOptions {
  secretKey: string;
  webhookSecret: string;
  apiUrl?: string;
  /** The Elements page's publishable key, and Stripe.js's host (default: STRIPE's own, or apiUrl when that is set). */
  publishableKey?: string;
  jsUrl?: string;
  /** 0: any free port. */
  port?: number;
}

export interface ShopState {
  payments: Array<{ id: string; status: string }>;
  declines: Array<{ code: string | undefined; decline_code: string | undefined; payment_intent: string | undefined }>;
  webhooks: Array<{ type: string; id: string; object_id: string; verified: boolean }>;
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

/** The SDK's client for a base URL: Stripe's own unless one is given. */
function stripeClient(secretKey: string, apiUrl: string | undefined): Stripe {
  if (!apiUrl) return new Stripe(secretKey);
  const u = new URL(apiUrl);
  return new Stripe(secretKey, { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), protocol: u.protocol === 'https:' ? 'https' : 'http' });
}

export async function startShop(opts: ShopOptions): Promise<Shop> {
  const stripe = stripeClient(opts.secretKey, opts.apiUrl);
  const state: ShopState = { payments: [], declines: [], webhooks: [] };
  const elements = opts.publishableKey
    ? elementsFlow({ stripe, publishableKey: opts.publishableKey, jsUrl: opts.jsUrl ?? opts.apiUrl ?? 'https://js.stripe.com', apiUrl: opts.apiUrl ?? 'https://api.stripe.com' })
    : null;

  const checkout = checkoutPages(stripe);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://shop');
    // The Elements flow (elements.ts): /elements, /elements.js, /api/elements/intent.
    if (elements && (await elements(req, res, url))) return;
    // The Checkout Session redirect flow (checkout.ts): /checkout, /checkout/session, /checkout/success.
    if (await checkout(req, res, url)) return;
    if (req.method === 'GET' && url.pathname === '/api/state') return json(res, 200, state);
    if (req.method === 'POST' && url.pathname === '/api/pay') {
      const r = JSON.parse(await readBody(req)) as { payment_method: string; capture?: 'manual' };
      try {
        const pi = await stripe.paymentIntents.create({
          amount: 2000, currency: 'usd', payment_method: r.payment_method, confirm: true, capture_method: r.capture ?? 'automatic',
          return_url: 'http://localhost/return', metadata: { order_id: `order-${state.payments.length + 1}` },
        });
        state.payments.push({ id: pi.id, status: pi.status });
        return json(res, 200, { id: pi.id, status: pi.status, next_action: pi.next_action?.type ?? null });
      } catch (err) {
        if (!(err instanceof Stripe.errors.StripeCardError)) throw err;
        state.declines.push({ code: err.code, decline_code: err.decline_code, payment_intent: err.payment_intent?.id });
        return json(res, 402, { code: err.code, decline_code: err.decline_code, message: err.message });
      }
    }
    if (req.method === 'POST' && url.pathname === '/api/capture') {
      const r = JSON.parse(await readBody(req)) as { id: string; amount?: number };
      const pi = await stripe.paymentIntents.capture(r.id, r.amount ? { amount_to_capture: r.amount } : {});
      return json(res, 200, { id: pi.id, status: pi.status, amount_received: pi.amount_received });
    }
    if (req.method === 'POST' && url.pathname === '/api/refund') {
      const r = JSON.parse(await readBody(req)) as { id: string; amount?: number };
      const refund = await stripe.refunds.create({ payment_intent: r.id, ...(r.amount ? { amount: r.amount } : {}), reason: 'requested_by_customer' });
      return json(res, 200, { id: refund.id, status: refund.status, amount: refund.amount });
    }
    if (req.method === 'POST' && url.pathname === '/webhooks/stripe') {
      const raw = await readBody(req);
      try {
        const event = stripe.webhooks.constructEvent(raw, String(req.headers['stripe-signature'] ?? ''), opts.webhookSecret);
        state.webhooks.push({ type: event.type, id: event.id, object_id: (event.data.object as { id: string }).id, verified: true });
        return json(res, 200, { received: true });
      } catch {
        state.webhooks.push({ type: '?', id: '?', object_id: '?', verified: false });
        return json(res, 400, { received: false });
      }
    }
    json(res, 404, { error: 'not found' });
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const e = err as { statusCode?: number; message?: string };
      json(res, e.statusCode ?? 500, { error: e.message ?? String(err) });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 5001, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
  const shop = await startShop({ secretKey: need('STRIPE_SECRET_KEY'), webhookSecret: need('STRIPE_WEBHOOK_SECRET'), apiUrl: env.STRIPE_API_URL, publishableKey: env.STRIPE_PUBLISHABLE_KEY, jsUrl: env.STRIPE_JS_URL, port: Number(env.DEMO_PORT ?? 5001) });
  console.log(`Shop at ${shop.url} (webhooks: ${shop.url}/webhooks/stripe)`);
  // Another origin than Sandpay's 127.0.0.1: add it to checkout.allowed_origins once set.
  if (env.STRIPE_PUBLISHABLE_KEY) console.log(`Elements page: ${shop.url.replace('127.0.0.1', 'localhost')}/elements`);
}

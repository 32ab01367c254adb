import { WEBHOOK_FACES } from '../contract/faces.ts';
import { faceOf, NATIVE_FACE } from '../webhooks/faces.ts';
import { CliError, type SandpayApi } from './api.ts';

type Ids = Array<[label: string, id: string, status: string]>;

interface Scenario {
  does: string;
  run(api: SandpayApi): Promise<Ids>;
}

const CARDS = { success: '4242424242424242', declined: '4000000000000002', stayPending: '4000000000000077', fraud: '4100000000000019' };

const card = (number: string) => ({ number, exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' });

async function pay(api: SandpayApi, number: string, extra: Record<string, unknown> = {}): Promise<any> {
  return api.post('/payments', { amount: 5000, currency: 'INR', method: 'card', card: card(number), description: 'sandpay trigger', ...extra });
}

/** A successful payment and a refund of `amount` (all of it when undefined), settled as `outcome` unless null. */
async function refund(api: SandpayApi, amount: number | undefined, outcome: 'processed' | 'failed' | null): Promise<Ids> {
  const p = await pay(api, CARDS.success);
  let r = await api.post(`/payments/${p.id}/refunds`, amount === undefined ? {} : { amount });
  if (outcome) r = await api.post(`/refunds/${r.id}/simulate`, { outcome });
  const after = await api.get(`/payments/${p.id}`);
  return [['payment', p.id, after.status], ['refund', r.id, r.status]];
}

const payment = (p: any): Ids => [['payment', p.id, p.status]];

/** A hosted checkout session of 5000 INR for a new order (secret key: as a merchant's server opens one). */
const openSession = (api: SandpayApi, extra: Record<string, unknown> = {}): Promise<any> =>
  api.post('/checkout/sessions', { amount: 5000, currency: 'INR', description: 'sandpay trigger', ...extra });

/** The session as read, with its order and its payment (if any) as they are now. */
async function session(api: SandpayApi, s: any): Promise<Ids> {
  const ids: Ids = [['session', s.id, s.status], ['order', s.order_id, (await api.get(`/orders/${s.order_id}`)).status]];
  return s.payment_id ? [...ids, ...payment(await api.get(`/payments/${s.payment_id}`))] : ids;
}

/** Waits (a bounded number of polls) for the session's expiry job; the session expires 1 s after it opens. */
async function expiredSession(api: SandpayApi): Promise<Ids> {
  const s = await openSession(api, { expires_in: 1 });
  for (let i = 0; i < 120; i++) {
    const now = await api.get(`/checkout/sessions/${s.id}`);
    if (now.status === 'expired') return session(api, now);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new CliError(`Checkout session ${s.id} has not expired after a minute: is a Sandpay worker running (SANDPAY_ROLE all or worker)?`);
}

/** Every event type, and what creates it through the public API. */
const SCENARIOS: Record<string, Scenario> = {
  'payment.created': { does: 'a successful card payment', run: async (api) => payment(await pay(api, CARDS.success)) },
  'payment.success': { does: 'a successful card payment', run: async (api) => payment(await pay(api, CARDS.success)) },
  'payment.authorized': { does: 'a card payment with manual capture', run: async (api) => payment(await pay(api, CARDS.success, { capture: 'manual' })) },
  'payment.failed': { does: 'a payment with a declining card (4000000000000002)', run: async (api) => payment(await pay(api, CARDS.declined)) },
  'payment.flagged': { does: 'a payment with the fraud test card (4100000000000019)', run: async (api) => payment(await pay(api, CARDS.fraud)) },
  'fraud.detected': { does: 'a payment with the fraud test card (4100000000000019)', run: async (api) => payment(await pay(api, CARDS.fraud)) },
  'payment.expired': {
    does: 'a pending payment, then simulated expiry',
    run: async (api) => payment(await api.post(`/payments/${(await pay(api, CARDS.stayPending)).id}/simulate`, { outcome: 'expired' })),
  },
  'refund.created': { does: 'a payment and a full refund (processed later by Sandpay)', run: (api) => refund(api, undefined, null) },
  'refund.processed': { does: 'a payment and a processed full refund', run: (api) => refund(api, undefined, 'processed') },
  'payment.refunded': { does: 'a payment and a processed full refund', run: (api) => refund(api, undefined, 'processed') },
  'payment.partially_refunded': { does: 'a payment of 5000 and a processed refund of 2000', run: (api) => refund(api, 2000, 'processed') },
  'refund.failed': { does: 'a payment and a refund that fails', run: (api) => refund(api, undefined, 'failed') },
  'checkout.session.completed': {
    does: 'a hosted checkout session, paid on its page by UPI (success@sandpay)',
    run: async (api) => {
      const s = await openSession(api);
      await api.post(`/checkout/${s.id}/pay`, { method: 'upi', vpa: 'success@sandpay' }, { outsideApi: true });
      return session(api, await api.get(`/checkout/sessions/${s.id}`));
    },
  },
  'checkout.session.expired': { does: 'a hosted checkout session left to expire (expires_in: 1; takes a second or two)', run: expiredSession },
  'order.created': {
    does: 'an order (no payment yet)',
    run: async (api) => {
      const order = await api.post('/orders', { amount: 5000, currency: 'INR', receipt: 'sandpay-trigger' });
      return [['order', order.id, order.status]];
    },
  },
  'order.paid': {
    does: 'an order and a successful payment for it',
    run: async (api) => {
      const order = await api.post('/orders', { amount: 5000, currency: 'INR', receipt: 'sandpay-trigger' });
      const p = await pay(api, CARDS.success, { order_id: order.id, amount: undefined, currency: undefined });
      return [['order', order.id, (await api.get(`/orders/${order.id}`)).status], ...payment(p)];
    },
  },
};

/** Calls a gateway face's own API (under /v1, with the same key as Stripe's SDK sends it). */
const faceApi = {
  post: (api: SandpayApi, path: string, body: unknown = {}) => api.post(path, body, { outsideApi: true }),
  get: (api: SandpayApi, path: string) => api.request('GET', path, { outsideApi: true }),
};

/** A Stripe Checkout Session of $20.00 (mode payment), made as stripe-node makes one. */
const stripeSession = (api: SandpayApi): Promise<any> =>
  faceApi.post(api, '/v1/checkout/sessions', {
    mode: 'payment', success_url: 'https://example.com/success?session_id={CHECKOUT_SESSION_ID}', cancel_url: 'https://example.com/cart',
    line_items: [{ price_data: { currency: 'usd', unit_amount: 2000, product_data: { name: 'sandpay trigger' } }, quantity: 1 }],
  });

async function stripeSessionIds(api: SandpayApi, id: string): Promise<Ids> {
  const s = await faceApi.get(api, `/v1/checkout/sessions/${id}`);
  const ids: Ids = [['session', s.id, s.status]];
  return s.payment_intent ? [...ids, ['intent', s.payment_intent, (await faceApi.get(api, `/v1/payment_intents/${s.payment_intent}`)).status]] : ids;
}

/**
 * Where a face's event is not what a native scenario makes under its name: Stripe's
 * checkout.session.* are a Stripe Checkout Session's (the hosted page of cs_test_X is the hosted
 * checkout session cs_X, whose own calls pay it).
 */
const FACE_SCENARIOS: Record<string, Record<string, Scenario>> = {
  stripe: {
    'checkout.session.completed': {
      does: 'a Stripe Checkout Session ($20.00, mode payment), paid on its hosted page with 4242 4242 4242 4242',
      run: async (api) => {
        const s = await stripeSession(api);
        await api.post(`/checkout/cs_${s.id.slice('cs_test_'.length)}/pay`, { method: 'card', card: card(CARDS.success) }, { outsideApi: true });
        return stripeSessionIds(api, s.id);
      },
    },
    'checkout.session.expired': {
      does: 'a Stripe Checkout Session ($20.00, mode payment), expired at once (POST /v1/checkout/sessions/:id/expire)',
      run: async (api) => {
        const s = await stripeSession(api);
        await faceApi.post(api, `/v1/checkout/sessions/${s.id}/expire`);
        return stripeSessionIds(api, s.id);
      },
    },
  },
};

export const TRIGGER_TYPES = Object.keys(SCENARIOS);

/**
 * The scenarios by the names of a webhook format (`--format stripe`: charge.succeeded and
 * payment_intent.succeeded are what payment.success makes); the first scenario of each name, and
 * Sandpay's own by default. Names that need more than the event's type (a payment captured after
 * authorization, what a new payment awaits) are not offered.
 */
function scenariosIn(format: string): Map<string, Scenario> {
  const face = faceOf(WEBHOOK_FACES, format);
  const named = new Map<string, Scenario>();
  for (const [type, scenario] of Object.entries(SCENARIOS)) {
    for (const name of face.eventNames({ type })) if (!named.has(name)) named.set(name, scenario);
  }
  for (const [name, scenario] of Object.entries(FACE_SCENARIOS[face.format] ?? {})) named.set(name, scenario);
  return named;
}

export function listTriggers(out: NodeJS.WritableStream, format = NATIVE_FACE.format): void {
  const named = scenariosIn(format);
  const width = Math.max(...[...named.keys()].map((t) => t.length));
  for (const [type, s] of named) out.write(`${type.padEnd(width)}  ${s.does}\n`);
}

/** `sandpay trigger <type> [--format <format>]`: makes that event happen and prints the ids of what it created. */
export async function trigger(api: SandpayApi, type: string, out: NodeJS.WritableStream, format = NATIVE_FACE.format): Promise<void> {
  const scenario = scenariosIn(format).get(type);
  if (!scenario) {
    const list = format === NATIVE_FACE.format ? '`sandpay trigger --list`' : `\`sandpay trigger --list --format ${format}\``;
    throw new CliError(`Unknown event type ${JSON.stringify(type)}; ${list} shows the supported ones`, { exitCode: 2 });
  }
  const ids = await scenario.run(api);
  out.write(`Triggered ${type}: ${scenario.does}\n`);
  for (const [label, id, status] of ids) out.write(`  ${label.padEnd(8)} ${id}  ${status}\n`);
}

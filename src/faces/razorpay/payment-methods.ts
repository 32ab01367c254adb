import { z } from 'zod';
import { badRequest, notFound } from '../../core/errors.ts';
import { currencySchema } from '../../core/schemas.ts';
import { createPayment } from '../../payments/create.ts';
import { TEST_VPAS } from '../../payments/instruments.ts';
import { getPayment } from '../../payments/store.ts';
import { byId, route } from '../../routing/route.ts';
import { collection, rzpPaymentRow } from './api.ts';
import { razorpayHttpFace } from './http-face.ts';
import { notesField, paiseInput } from './own-objects.ts';
import { collectionOf, rzpCardObject } from './schemas.ts';
import { RAZORPAY_PAYMENT } from './status.ts';

/**
 * The payment calls a custom checkout makes besides orders: the methods on offer, a payment's
 * card, UPI collect from the server with Razorpay's test VPAs (success@razorpay,
 * failure@razorpay; Sandpay's own work too), VPA validation, and downtimes (none are simulated).
 */

const BANKS = { HDFC: 'HDFC Bank', ICIC: 'ICICI Bank', SBIN: 'State Bank of India', UTIB: 'Axis Bank', FAIL: 'Test bank: declines', PEND: 'Test bank: stays pending', SLOW: 'Test bank: succeeds after a delay' };
const WALLETS = { paytm: true, phonepe: true, amazonpay: true, mobikwik: true, freecharge: true, airtelmoney: true };

const methodsObject = z
  .looseObject({ entity: z.literal('methods'), card: z.boolean(), upi: z.boolean(), netbanking: z.record(z.string(), z.string()), wallet: z.record(z.string(), z.boolean()) })
  .meta({ id: 'RazorpayMethods' });

/** What Sandpay takes: cards (the four networks of its test cards), UPI, netbanking (its test banks), wallets; no EMI, pay later or cardless EMI. */
const METHODS = {
  entity: 'methods' as const, card: true, debit_card: true, credit_card: true, prepaid_card: false,
  card_networks: { AMEX: 1, DICL: 0, MC: 1, MAES: 0, VISA: 1, JCB: 0, RUPAY: 1, BAJAJ: 0 },
  amex: true, netbanking: BANKS, wallet: WALLETS, emi: false, upi: true, cardless_emi: [], paylater: [], google_pay_cards: false, app: [], gpay: false,
  emi_types: [], debit_emi_providers: [], intl_bank_transfer: [], nach: false, cod: false, offline: false, recurring: false, upi_intent: true,
};

/** What Sandpay answers for a VPA: a test VPA that declines is not valid, any other well-formed one is. */
const vpaValid = (vpa: string) => TEST_VPAS[vpa.toLowerCase()] !== 'decline';

const vpa = z.string().max(256).regex(/^[a-zA-Z0-9._-]{2,200}@[a-zA-Z][a-zA-Z0-9]{1,50}$/, 'is not a valid Virtual Payment Address (name@bank)');

const createUpiBody = z.strictObject({
  amount: paiseInput(),
  currency: currencySchema,
  order_id: z.string().min(1).max(40),
  email: z.email('The email must be a valid email address.').max(254),
  contact: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\+?[0-9]{8,15}$/, 'The contact format is invalid.')),
  method: z.literal('upi', { error: 'method must be upi' }),
  customer_id: z.string().max(40).optional(),
  save: z.union([z.boolean(), z.literal(0), z.literal(1)]).optional(),
  ip: z.string().max(64),
  referer: z.string().max(2048),
  user_agent: z.string().max(1024),
  callback_url: z.url().max(2048).optional(),
  description: z.string().max(1000).optional(),
  notes: notesField,
  upi: z.strictObject({ flow: z.enum(['collect', 'intent'], { error: 'flow must be collect or intent' }), vpa: vpa.optional(), expiry_time: z.number().int().min(5).max(60 * 24 * 7).optional() }).optional(),
});

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;

export const paymentMethodRoutes = [
  route({
    ...base, method: 'get', path: '/v1/methods', summary: 'The payment methods on offer (Razorpay)', response: methodsObject,
    handler: async () => METHODS,
  }),
  route({
    ...base, method: 'get', path: '/v1/payments/downtimes', summary: 'Payment method downtimes (Razorpay: none are simulated)',
    response: collectionOf(z.record(z.string(), z.unknown())),
    handler: async () => collection([]),
  }),
  route({
    ...base, method: 'get', path: '/v1/payments/downtimes/:id', summary: 'Fetch a downtime (Razorpay: none are simulated, so none exists)',
    params: z.strictObject({ id: z.string().max(40) }), response: z.record(z.string(), z.unknown()), errors: [404],
    handler: async () => {
      throw notFound('downtime');
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/payments/:id/card', summary: "A card payment's card (Razorpay)", params: byId('payment', 'payment'), response: rzpCardObject,
    handler: async ({ db, ctx, params: p }) => {
      const card = rzpPaymentRow(await getPayment(db, ctx.tenant.id, p.id)).card;
      if (!card) throw badRequest('payment_not_card', 'The payment method is not card', 'id');
      return card;
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/payments/validate/vpa', write: true, summary: 'Validate a VPA (Razorpay: failure@razorpay and failure@sandpay are not valid)',
    body: z.strictObject({ vpa }), response: z.strictObject({ vpa: z.string(), success: z.boolean(), customer_name: z.string().optional() }), example: { vpa: 'success@razorpay' },
    handler: async ({ body }) => (vpaValid(body.vpa) ? { vpa: body.vpa, success: true, customer_name: 'Gaurav Kumar' } : { vpa: body.vpa, success: false }),
  }),
  route({
    ...base, method: 'post', path: '/v1/payments/create/upi', write: true, summary: 'Create a UPI payment from the server (Razorpay S2S: collect or intent)',
    description: 'For an order: `upi.flow` collect asks `upi.vpa` (success@razorpay succeeds, failure@razorpay declines); intent answers a upi:// link too and is paid as success@razorpay. The payment then moves as any (payment.* webhooks).',
    body: createUpiBody, response: z.strictObject({ razorpay_payment_id: z.string(), link: z.string().optional() }),
    example: { amount: 50000, currency: 'INR', order_id: 'order_00000000000000000000', email: 'gaurav@example.com', contact: '9123456789', method: 'upi', ip: '203.0.113.7', referer: 'http://shop.example', user_agent: 'Mozilla/5.0', upi: { flow: 'collect', vpa: 'success@razorpay' } },
    handler: async ({ t, svc, ctx, body }) => {
      const flow = body.upi?.flow ?? 'collect';
      if (flow === 'collect' && body.upi?.vpa === undefined) throw badRequest('parameter_missing', 'The vpa field is required when flow is collect.', 'upi.vpa');
      const payer = flow === 'intent' ? 'success@razorpay' : body.upi!.vpa!;
      const p = await createPayment(t, svc, ctx, {
        order_id: body.order_id, amount: body.amount, currency: body.currency, method: 'upi', vpa: payer, customer_email: body.email.toLowerCase(),
        description: body.description, metadata: body.notes,
      }, RAZORPAY_PAYMENT);
      return flow === 'intent'
        ? { razorpay_payment_id: p.id, link: `upi://pay?${new URLSearchParams({ pa: 'sandpay@sandpay', pn: 'Sandpay', tr: p.id, am: (Number(p.amount) / 100).toFixed(2), cu: p.currency })}` }
        : { razorpay_payment_id: p.id };
    },
  }),
];

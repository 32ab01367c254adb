import { z } from 'zod';
import { notFound } from '../../core/errors.ts';
import { TEST_CARDS } from '../../payments/instruments.ts';
import { route } from '../../routing/route.ts';
import { razorpayHttpFace } from './http-face.ts';

/**
 * Razorpay's IIN look-up, over Sandpay's published test cards (the only cards it takes): their
 * first six digits, each with its network; none has EMI, recurring or native OTP.
 */

const NETWORKS = { visa: 'Visa', mastercard: 'MasterCard', amex: 'American Express', rupay: 'RuPay' } as const;
const IINS = new Map(TEST_CARDS.map((c) => [c.number.slice(0, 6), NETWORKS[c.brand]]));

const iinObject = z
  .strictObject({
    iin: z.string(), entity: z.literal('iin'), network: z.string(), type: z.literal('credit'), sub_type: z.literal('consumer'), issuer_code: z.string(),
    issuer_name: z.string(), international: z.boolean(), is_tokenized: z.boolean(), card_iin: z.null(), emi: z.strictObject({ available: z.boolean() }),
    recurring: z.strictObject({ available: z.boolean() }), authentication_types: z.array(z.strictObject({ type: z.string() })),
  })
  .meta({ id: 'RazorpayIin' });

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;

export const iinRoutes = [
  route({
    ...base, method: 'get', path: '/v1/iins/list', summary: 'IINs with a flow or sub_type (Razorpay: over the test cards)',
    query: z.strictObject({ flow: z.enum(['otp', 'rupay', 'magic']).optional(), sub_type: z.enum(['consumer', 'business']).optional() }),
    response: z.strictObject({ count: z.number().int(), iins: z.array(z.string()) }),
    handler: async ({ query: q }) => {
      // No test card has native OTP or Magic; all are consumer cards.
      const all = [...IINS.entries()];
      const iins = q.flow === 'otp' || q.flow === 'magic' || q.sub_type === 'business' ? [] : all.filter(([, n]) => q.flow !== 'rupay' || n === 'RuPay').map(([iin]) => iin);
      return { count: iins.length, iins };
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/iins/:id', summary: "A test card's IIN (Razorpay)", params: z.strictObject({ id: z.string().regex(/^\d{6,9}$/, 'The id provided does not exist') }),
    response: iinObject,
    handler: async ({ params: p }) => {
      const network = IINS.get(p.id.slice(0, 6));
      if (!network) throw notFound('iin');
      return {
        iin: p.id.slice(0, 6), entity: 'iin' as const, network, type: 'credit' as const, sub_type: 'consumer' as const, issuer_code: 'SNDP', issuer_name: 'Sandpay Test Bank',
        international: false, is_tokenized: false, card_iin: null, emi: { available: false }, recurring: { available: false }, authentication_types: [{ type: '3ds' }],
      };
    },
  }),
];

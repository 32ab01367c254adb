import { z } from 'zod';
import { listPayments } from '../../../payments/store.ts';
import { route } from '../../../routing/route.ts';
import { chargeObjects } from '../charges.ts';
import { expandAll } from '../expand.ts';
import { EXPANDERS } from '../expanders.ts';
import { ledgerId } from '../ids.ts';
import { chargeRow } from '../ledger.ts';
import { expand, listOf, listParams } from '../schemas.ts';
import { base, createdRange, idParams, listUrl, read } from './common.ts';
import { withCursors } from '../cursors.ts';

const charge = z.looseObject({ id: z.string(), object: z.literal('charge'), status: z.string() }).meta({ id: 'StripeCharge' });
// `customer` and `transfer_group` are not taken: a filter Sandpay cannot apply is Stripe's parameter_unknown, not every charge.
const listQuery = z.strictObject({ ...listParams, payment_intent: z.string().max(200).optional() });

export const chargeRoutes = [
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/charges', summary: 'List charges (Stripe): every payment of the ledger', query: listQuery, response: listOf(charge),
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      const orderId = q.payment_intent !== undefined ? ledgerId('pi', q.payment_intent) ?? 'none' : undefined;
      const { createdFrom, createdTo } = createdRange(q.created);
      const page = await withCursors('charge', { startingAfter: q.starting_after, endingBefore: q.ending_before }, (id) => ledgerId('ch', id), (cursors) =>
        listPayments(db, ctx.tenant.id, { orderId, createdGte: createdFrom, createdLte: createdTo }, { limit: q.limit ?? 10, ...cursors }, (p) => p));
      const list = { object: 'list', data: await chargeObjects(db, ctx.tenant.id, page.data), has_more: page.has_more, url: listUrl('charges') };
      return expandAll(db, ctx.tenant.id, baseUrl, list, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/charges/:id', summary: 'Retrieve a charge (Stripe)', params: idParams, query: z.strictObject({ expand }), response: charge,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) => {
      const [c] = await chargeObjects(db, ctx.tenant.id, [await chargeRow(db, ctx.tenant.id, p.id)]);
      return expandAll(db, ctx.tenant.id, baseUrl, c!, q.expand, EXPANDERS);
    },
  }),
];

import { z } from 'zod';
import { badRequest } from '../../core/errors.ts';

/**
 * Route (transfers to linked accounts) is not simulated. orders.fetchTransferOrder asks
 * GET /v1/orders/:id/?expand[]=transfers&status: an honest 400 instead of an order that seems
 * to have no transfers. Other query parameters of an order fetch are left as they were (ignored).
 */
const expand = z.union([z.string(), z.array(z.string())]).optional();
export const orderFetchQuery = z.looseObject({ 'expand[]': expand, 'expand[expand]': expand });

export function refuseTransfers(q: z.output<typeof orderFetchQuery>): void {
  const wanted = [q['expand[]'], q['expand[expand]']].flat();
  if (wanted.includes('transfers')) {
    throw badRequest('transfers_not_simulated', 'Route transfers are not simulated by Sandpay: an order has no transfers to expand', 'expand[]');
  }
}

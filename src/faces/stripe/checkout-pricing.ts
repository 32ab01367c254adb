import { badRequest, DomainError } from '../../core/errors.ts';
import type { Tx } from '../../db/pool.ts';
import type { Ctx } from '../../services.ts';
import { priceObject, priceRow, productRow } from './catalog.ts';
import type { LineItemInput } from './checkout-schemas.ts';
import { newStripeId } from './ids.ts';
import { createPrice } from './prices.ts';
import type { DbLineItem } from './store.ts';

/** A Checkout Session's parameters as Stripe checks them: its lines' prices, its lifetime. */

const lineParam = (i: number, field: string) => `line_items.${i}.${field}`;

/** A missing object a parameter names: Stripe's 400 resource_missing for a create's parameter (not the 404 of a path). */
export async function named<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'not_found') throw new DomainError('invalid', 'resource_missing', err.message, { param: err.param });
    throw err;
  }
}

/** A price's own refusal (`unit_amount`) named where the caller put it: `line_items[0][price_data][unit_amount]`. */
async function within<T>(prefix: string, make: () => Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (err) {
    if (err instanceof DomainError && err.param !== undefined && !err.param.startsWith('line_items.')) {
      throw new DomainError(err.kind, err.code, err.message, { param: `${prefix}.${err.param}`, headers: err.headers });
    }
    throw err;
  }
}

/** Prices each line as Stripe does: a one-time price of the tenant (active), or one made from price_data. */
export async function priceLines(t: Tx, ctx: Ctx, lines: LineItemInput[]): Promise<DbLineItem[]> {
  const out: DbLineItem[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.price !== undefined && line.price_data !== undefined) {
      throw badRequest('parameter_invalid', `You may only specify one of these parameters: line_items[${i}][price], line_items[${i}][price_data].`, lineParam(i, 'price_data'));
    }
    if (line.quantity === undefined) throw badRequest('parameter_missing', `Quantity is required. Add \`quantity\` to \`line_items[${i}]\`.`, lineParam(i, 'quantity'));
    let price;
    if (line.price !== undefined) {
      price = await named(() => priceRow(t, ctx.tenant.id, line.price!, { param: lineParam(i, 'price') }));
      if (!price.active) throw badRequest('parameter_invalid', `The price specified (${price.id}) is inactive. This field only accepts active prices.`, lineParam(i, 'price'));
    } else if (line.price_data !== undefined) {
      const d = line.price_data;
      if (d.product !== undefined) await named(() => productRow(t, ctx.tenant.id, d.product!, { param: lineParam(i, 'price_data.product') }));
      else if (d.product_data === undefined) throw badRequest('parameter_missing', `Missing required param: line_items[${i}][price_data][product_data] (or product).`, lineParam(i, 'price_data.product_data'));
      // An inline price (and product) is made as Stripe makes it, inactive, for this session: no events of its own.
      price = await within(lineParam(i, 'price_data'), () => createPrice(t, ctx, () => {}, {
        currency: d.currency, unit_amount: d.unit_amount, unit_amount_decimal: d.unit_amount_decimal, tax_behavior: d.tax_behavior, active: false,
        ...(d.product !== undefined ? { product: d.product } : { product_data: { name: d.product_data!.name, description: d.product_data!.description, images: d.product_data!.images, metadata: d.product_data!.metadata, tax_code: d.product_data!.tax_code } }),
      }));
    } else {
      throw badRequest('parameter_missing', `You must specify either \`price\` or \`price_data\` in line_items[${i}].`, lineParam(i, 'price'));
    }
    if (price.type === 'recurring') {
      throw badRequest('parameter_invalid', 'You specified `payment` mode but passed a recurring price. Sandpay supports one-time prices only (mode `payment`).', lineParam(i, 'price'));
    }
    if (price.unit_amount === null) {
      throw badRequest('parameter_invalid', `The price ${price.id} has a fractional unit_amount_decimal; Sandpay charges whole units of the currency.`, lineParam(i, 'price'));
    }
    const currency = price.currency.toLowerCase();
    if (out.length > 0 && out[0]!.currency !== currency) {
      throw badRequest('parameter_invalid', `All line items must have the same currency: line_items[0] is in ${out[0]!.currency}, line_items[${i}] in ${currency}.`, lineParam(i, 'price'));
    }
    const product = await productRow(t, ctx.tenant.id, price.product, { param: lineParam(i, 'price') });
    const unitAmount = Number(price.unit_amount);
    out.push({ id: newStripeId('li'), description: product.name, quantity: line.quantity, currency, unit_amount: unitAmount, amount: unitAmount * line.quantity, price: priceObject(price) });
  }
  return out;
}

/** Stripe's bounds on expires_at, from the session's creation (a few seconds' grace for the caller's clock). */
const MIN_LIFETIME = 30 * 60;
const MAX_LIFETIME = 24 * 3600;
const CLOCK_GRACE = 10;

/** The session's lifetime in seconds from now: Stripe's 30 minutes to 24 hours, 24 hours by default. */
export function lifetimeOf(expiresAt: number | undefined): number {
  if (expiresAt === undefined) return MAX_LIFETIME;
  const seconds = expiresAt - Date.now() / 1000;
  if (seconds < MIN_LIFETIME - CLOCK_GRACE) throw badRequest('parameter_invalid', 'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.', 'expires_at');
  if (seconds > MAX_LIFETIME + CLOCK_GRACE) throw badRequest('parameter_invalid', 'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.', 'expires_at');
  return Math.min(MAX_LIFETIME, Math.max(1, Math.round(seconds)));
}

import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type TestTenant } from '../../support/client.ts';
import { stripeError, stripeSdk } from '../../support/stripe.ts';
import { startTestSystem, type TestSystem } from '../../support/system.ts';

/** Products and Prices through stripe-node: the catalog Checkout's line items name. */
let sys: TestSystem;
let t: TestTenant;
let stripe: Stripe;

beforeAll(async () => {
  sys = await startTestSystem();
  t = await registerTenant(sys.url);
  stripe = stripeSdk(sys.url, t.sk);
});
afterAll(async () => {
  await sys?.stop();
});

describe('Products through stripe-node', () => {
  it('create (with a chosen id), retrieve, update, list by active, delete', async () => {
    const made = await stripe.products.create({ id: 'gold-plan', name: 'Gold', description: 'The best', metadata: { tier: '1' }, images: ['https://shop.example/g.png'] });
    expect(made).toMatchObject({
      id: 'gold-plan', object: 'product', name: 'Gold', active: true, description: 'The best', metadata: { tier: '1' }, images: ['https://shop.example/g.png'],
      default_price: null, livemode: false, type: 'service', url: null, marketing_features: [],
    });
    expect(made.created).toEqual(expect.any(Number));
    const clash = await stripeError(stripe.products.create({ id: 'gold-plan', name: 'Again' }));
    expect(clash).toMatchObject({ statusCode: 400, code: 'resource_already_exists', param: 'id' });

    const plain = await stripe.products.create({ name: 'Plain', shippable: true, unit_label: 'seat' });
    expect(plain.id).toMatch(/^prod_[0-9A-Za-z]{20}$/);
    expect(plain).toMatchObject({ shippable: true, unit_label: 'seat' });

    const updated = await stripe.products.update('gold-plan', { name: 'Gold+', description: '', metadata: { tier: '', color: 'gold' }, active: false });
    expect(updated).toMatchObject({ name: 'Gold+', description: null, metadata: { color: 'gold' }, active: false, images: ['https://shop.example/g.png'] });
    expect(await stripe.products.retrieve('gold-plan')).toMatchObject({ name: 'Gold+', active: false });

    const active = await stripe.products.list({ active: true, limit: 100 });
    expect(active.data.map((p) => p.id)).toContain(plain.id);
    expect(active.data.map((p) => p.id)).not.toContain('gold-plan');
    expect((await stripe.products.list({ active: false })).data.map((p) => p.id)).toEqual(['gold-plan']);
    expect((await stripe.products.list({ ids: ['gold-plan', plain.id] })).data.map((p) => p.id)).toEqual([plain.id, 'gold-plan']);

    const deleted = await stripe.products.del('gold-plan');
    expect(deleted).toEqual(expect.objectContaining({ id: 'gold-plan', object: 'product', deleted: true }));
    const gone = await stripeError(stripe.products.retrieve('gold-plan'));
    expect(gone).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(gone.message).toContain("No such product: 'gold-plan'");
  });

  it('default_price_data makes the default price; a product with prices is archived, not deleted', async () => {
    const p = await stripe.products.create({ name: 'Tee', default_price_data: { currency: 'usd', unit_amount: 2000 }, expand: ['default_price'] });
    const price = p.default_price as Stripe.Price;
    expect(price).toMatchObject({ object: 'price', product: p.id, unit_amount: 2000, currency: 'usd', type: 'one_time', active: true });
    const other = await stripe.prices.create({ product: p.id, currency: 'usd', unit_amount: 2500 });
    expect((await stripe.products.update(p.id, { default_price: other.id })).default_price).toBe(other.id);
    const foreign = await stripe.prices.create({ product_data: { name: 'Other' }, currency: 'usd', unit_amount: 1 });
    const wrong = await stripeError(stripe.products.update(p.id, { default_price: foreign.id }));
    expect(wrong).toMatchObject({ statusCode: 400, param: 'default_price' });
    const refused = await stripeError(stripe.products.del(p.id));
    expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(refused.statusCode).toBe(400);
    expect((await stripe.products.retrieve(p.id)).id).toBe(p.id);
  });
});

describe('Prices through stripe-node', () => {
  it('create by product or product_data; one-time and recurring; retrieve and update', async () => {
    const prod = await stripe.products.create({ name: 'Plan' });
    const monthly = await stripe.prices.create({ product: prod.id, currency: 'eur', unit_amount: 900, recurring: { interval: 'month', interval_count: 3 }, nickname: 'Quarterly', metadata: { k: 'v' } });
    expect(monthly).toMatchObject({
      object: 'price', product: prod.id, currency: 'eur', unit_amount: 900, type: 'recurring', nickname: 'Quarterly', metadata: { k: 'v' }, billing_scheme: 'per_unit',
      recurring: { interval: 'month', interval_count: 3, usage_type: 'licensed', trial_period_days: null, meter: null }, tax_behavior: 'unspecified', livemode: false,
    });
    expect(monthly.id).toMatch(/^price_[0-9A-Za-z]{20}$/);
    expect(String(monthly.unit_amount_decimal)).toBe('900');

    const inline = await stripe.prices.create({ product_data: { name: 'Sticker', metadata: { s: '1' } }, currency: 'jpy', unit_amount: 500 });
    expect(inline).toMatchObject({ currency: 'jpy', unit_amount: 500, type: 'one_time', recurring: null });
    expect(await stripe.products.retrieve(inline.product as string)).toMatchObject({ name: 'Sticker', metadata: { s: '1' } });

    const updated = await stripe.prices.update(monthly.id, { active: false, nickname: '', metadata: { k: '', n: '2' }, lookup_key: 'plan-q' });
    expect(updated).toMatchObject({ active: false, nickname: null, metadata: { n: '2' }, lookup_key: 'plan-q', unit_amount: 900 });
    expect(await stripe.prices.retrieve(monthly.id)).toMatchObject({ active: false, lookup_key: 'plan-q' });
    const fixed = await stripeError(stripe.prices.update(monthly.id, { unit_amount: 1 } as never));
    expect(fixed).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'unit_amount' });
  });

  it('unit_amount_decimal: a decimal string, parsed by the SDK into its Decimal', async () => {
    const prod = await stripe.products.create({ name: 'Metered' });
    const half = await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount_decimal: Stripe.Decimal.from('1250.5') });
    expect(half.unit_amount).toBeNull();
    expect(half.unit_amount_decimal?.toString()).toBe('1250.5');
    const whole = await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount_decimal: Stripe.Decimal.from('1500.00') });
    expect(whole.unit_amount).toBe(1500);
    expect(whole.unit_amount_decimal?.toString()).toBe('1500');
    expect((await stripe.prices.retrieve(half.id)).unit_amount_decimal?.toString()).toBe('1250.5');
    // The wire form is a string of digits, never a number.
    const raw = await fetch(`${sys.url}/v1/prices/${half.id}`, { headers: { authorization: `Bearer ${t.sk}` } }).then((r) => r.json() as Promise<{ unit_amount_decimal: unknown }>);
    expect(raw.unit_amount_decimal).toBe('1250.5');

    const both = await stripeError(stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: 1, unit_amount_decimal: Stripe.Decimal.from('1') }));
    expect(both).toMatchObject({ statusCode: 400, param: 'unit_amount_decimal' });
    const neither = await stripeError(stripe.prices.create({ product: prod.id, currency: 'usd' }));
    expect(neither).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'unit_amount' });
    const tooFine = await stripeError(stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount_decimal: Stripe.Decimal.from('0.0000000000001') }));
    expect(tooFine).toMatchObject({ statusCode: 400, param: 'unit_amount_decimal' });
    const noProduct = await stripeError(stripe.prices.create({ currency: 'usd', unit_amount: 1 }));
    expect(noProduct).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'product' });
    const unknownProduct = await stripeError(stripe.prices.create({ product: 'prod_00000000000000000000', currency: 'usd', unit_amount: 1 }));
    expect(unknownProduct).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'product' });
  });

  it('a lookup key names one price; transfer_lookup_key moves it', async () => {
    const prod = await stripe.products.create({ name: 'Keyed' });
    const first = await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: 100, lookup_key: 'standard' });
    const taken = await stripeError(stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: 200, lookup_key: 'standard' }));
    expect(taken).toMatchObject({ statusCode: 400, param: 'lookup_key' });
    const second = await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: 200, lookup_key: 'standard', transfer_lookup_key: true });
    expect(second.lookup_key).toBe('standard');
    expect((await stripe.prices.retrieve(first.id)).lookup_key).toBeNull();
    expect((await stripe.prices.list({ lookup_keys: ['standard'] })).data.map((p) => p.id)).toEqual([second.id]);
  });

  it('lists by product, active, currency and type; auto-pagination walks every page', async () => {
    const shop = await registerTenant(sys.url, 'Catalog lister');
    const s = stripeSdk(sys.url, shop.sk);
    const a = await s.products.create({ name: 'A' });
    const b = await s.products.create({ name: 'B' });
    const made: string[] = [];
    for (let i = 0; i < 60; i++) made.push((await s.prices.create({ product: a.id, currency: i % 2 ? 'usd' : 'eur', unit_amount: 100 + i })).id);
    const yearly = await s.prices.create({ product: b.id, currency: 'usd', unit_amount: 9900, recurring: { interval: 'year' }, active: false });

    const all = await s.prices.list({ limit: 7 }).autoPagingToArray({ limit: 1000 });
    expect(all.map((p) => p.id)).toEqual([...made, yearly.id].reverse());
    const reverse = await s.prices.list({ limit: 9, ending_before: made[10] }).autoPagingToArray({ limit: 1000 });
    expect(reverse.map((p) => p.id)).toEqual([...made.slice(11), yearly.id]);

    expect((await s.prices.list({ product: a.id, limit: 100 })).data).toHaveLength(60);
    expect((await s.prices.list({ product: a.id, currency: 'usd', limit: 100 })).data.every((p) => p.currency === 'usd')).toBe(true);
    expect((await s.prices.list({ product: a.id, currency: 'usd', limit: 100 })).data).toHaveLength(30);
    expect((await s.prices.list({ type: 'recurring' })).data.map((p) => p.id)).toEqual([yearly.id]);
    expect((await s.prices.list({ active: false })).data.map((p) => p.id)).toEqual([yearly.id]);
    expect((await s.prices.list({ recurring: { interval: 'year' } })).data.map((p) => p.id)).toEqual([yearly.id]);

    const products = await s.products.list({ limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(products.map((p) => p.id)).toEqual([b.id, a.id]);
  });

  it('expands price.product (a chosen id too), data.product on lists, and product.default_price', async () => {
    const chosen = await stripe.products.create({ id: 'basic', name: 'Basic', default_price_data: { currency: 'usd', unit_amount: 700 } });
    const price = await stripe.prices.retrieve(chosen.default_price as string, { expand: ['product', 'product.default_price'] });
    expect(price.product).toMatchObject({ object: 'product', id: 'basic', name: 'Basic' });
    expect((price.product as Stripe.Product).default_price).toMatchObject({ object: 'price', id: price.id, unit_amount: 700 });

    const prefixed = await stripe.prices.create({ product_data: { name: 'Prefixed' }, currency: 'usd', unit_amount: 300, expand: ['product'] });
    expect(prefixed.product).toMatchObject({ object: 'product', name: 'Prefixed' });

    const listed = await stripe.prices.list({ product: 'basic', expand: ['data.product'] });
    expect(listed.data[0]!.product).toMatchObject({ object: 'product', id: 'basic' });
    const notExpandable = await stripeError(stripe.prices.retrieve(price.id, { expand: ['currency'] }));
    expect(notExpandable).toMatchObject({ statusCode: 400, param: 'expand' });
  });

  it('another tenant\'s products and prices are resource_missing; ids chosen by one tenant are free for another', async () => {
    const prod = await stripe.products.create({ id: 'shared-name', name: 'Mine' });
    const price = await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: 100 });
    const other = stripeSdk(sys.url, (await registerTenant(sys.url, 'Other catalog')).sk);
    for (const call of [
      () => other.products.retrieve(prod.id),
      () => other.products.update(prod.id, { name: 'Theirs' }),
      () => other.products.del(prod.id),
      () => other.prices.retrieve(price.id),
      () => other.prices.update(price.id, { active: false }),
      () => other.prices.create({ product: prod.id, currency: 'usd', unit_amount: 1 }),
    ]) {
      expect(await stripeError(call())).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    }
    expect((await other.prices.list()).data).toEqual([]);
    const theirs = await other.products.create({ id: 'shared-name', name: 'Theirs' });
    expect(theirs).toMatchObject({ id: 'shared-name', name: 'Theirs' });
    expect((await stripe.products.retrieve('shared-name')).name).toBe('Mine');
  });
});

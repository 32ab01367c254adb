import type { ApiObject } from '../../events/types.ts';
import { randomBase62 } from '../../ids.ts';
import type { OwnEventSample } from '../../webhooks/faces.ts';
import { priceObject, productObject } from './catalog.ts';
import { customerObject } from './customers.ts';
import { paymentMethodObject } from './entities.ts';
import { previousAttributesOf } from './object-events.ts';
import type { DbCustomer, DbPaymentMethod, DbPrice, DbProduct } from './store.ts';

/**
 * Samples of the Stripe face's own events (customers, payment methods, the catalog) for the
 * handler check: rows as the face's tables would hold them, through the same mappers and the same
 * previous_attributes rule as the events the face raises (object-events.ts).
 */

const obj = (o: Record<string, unknown>) => o as ApiObject;

export function ownEventSamples(now: Date): OwnEventSample[] {
  const customer: DbCustomer = {
    id: `cus_${randomBase62(14)}`, tenant_id: '', email: 'jenny.rosen@example.com', name: 'Jenny Rosen', phone: null, description: 'Sandpay check-handler',
    address: null, shipping: null, default_payment_method: null, metadata: { order_ref: 'check-1' }, deleted: false, created_at: now, updated_at: now,
  };
  const renamed = { ...customer, name: 'Jenny R. Rosen' };
  const card: DbPaymentMethod = {
    id: `pm_${randomBase62(24)}`, tenant_id: '', customer_id: customer.id, behaviour: 'succeed', brand: 'visa', last4: '4242', bin: '424242',
    exp_month: 12, exp_year: now.getUTCFullYear() + 3, funding: 'credit', fingerprint: randomBase62(16), billing_details: {}, metadata: {},
    created_at: now, updated_at: now,
  };
  const detached = { ...card, customer_id: null };
  const expiring = { ...card, exp_year: card.exp_year + 1 };
  const product: DbProduct = {
    id: `prod_${randomBase62(14)}`, tenant_id: '', name: 'Sandpay T-shirt', active: true, description: null, images: [], default_price: null, url: null,
    metadata: {}, type: 'service', shippable: null, statement_descriptor: null, unit_label: null, tax_code: null, marketing_features: [],
    package_dimensions: null, created_at: now, updated_at: now,
  };
  const price: DbPrice = {
    id: `price_${randomBase62(24)}`, tenant_id: '', product: product.id, currency: 'INR', unit_amount: '50000', unit_amount_decimal: '50000', active: true,
    type: 'one_time', recurring: null, lookup_key: null, nickname: null, metadata: {}, tax_behavior: 'unspecified', created_at: now, updated_at: now,
  };
  const updated = (type: string, before: Record<string, unknown>, after: Record<string, unknown>): OwnEventSample => ({
    type, object: obj(after), previous_attributes: previousAttributesOf(before, after),
  });
  return [
    { type: 'customer.created', object: obj(customerObject(customer)) },
    updated('customer.updated', customerObject(customer), customerObject(renamed)),
    { type: 'customer.deleted', object: obj(customerObject({ ...customer, deleted: true })) },
    { type: 'payment_method.attached', object: obj(paymentMethodObject(card)) },
    { type: 'payment_method.detached', object: obj(paymentMethodObject(detached)) },
    updated('payment_method.updated', paymentMethodObject(card), paymentMethodObject(expiring)),
    { type: 'product.created', object: obj(productObject(product)) },
    updated('product.updated', productObject(product), productObject({ ...product, description: 'Organic cotton' })),
    { type: 'product.deleted', object: obj(productObject(product)) },
    { type: 'price.created', object: obj(priceObject(price)) },
    updated('price.updated', priceObject(price), priceObject({ ...price, nickname: 'Standard' })),
  ];
}

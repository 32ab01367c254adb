// A typed Sandpay client in a few lines: types generated from openapi.json by openapi-typescript
// (npm run openapi), calls made with openapi-fetch. A wrong field or path fails `tsc`, not production.
//
//   SANDPAY_API_KEY=sk_test_… node examples/typed-client/client.ts
import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import type { paths } from './schema.d.ts';

const key = process.env.SANDPAY_API_KEY;
if (!key) {
  console.error('Set SANDPAY_API_KEY to your secret key (sk_test_…)');
  process.exit(2);
}
const sandpay = createClient<paths>({ baseUrl: process.env.SANDPAY_URL ?? 'http://127.0.0.1:3000', headers: { Authorization: `Bearer ${key}` } });

const order = await sandpay.POST('/api/v1/orders', { body: { amount: 5000, currency: 'INR', receipt: 'typed-client-1' } });
if (!order.data) throw new Error(`order: ${order.error?.error.message}`);

const payment = await sandpay.POST('/api/v1/payments', {
  params: { header: { 'Idempotency-Key': randomUUID() } },
  body: { order_id: order.data.id, method: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' } },
});
if (!payment.data) throw new Error(`payment: ${payment.error?.error.message}`);

const refund = await sandpay.POST('/api/v1/payments/{id}/refunds', { params: { path: { id: payment.data.id } }, body: { amount: 2000 } });
if (!refund.data) throw new Error(`refund: ${refund.error?.error.message}`);

const missing = await sandpay.GET('/api/v1/payments/{id}', { params: { path: { id: 'pay_00000000000000000000' } } });

console.log(JSON.stringify({
  order: order.data.id,
  payment: payment.data.id,
  status: payment.data.status,
  refund: { id: refund.data.id, amount: refund.data.amount, status: refund.data.status },
  missing: missing.error?.error.code,
}));

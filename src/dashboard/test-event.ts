import { z } from 'zod';
import { isoTime } from '../core/schemas.ts';
import type { Queryable } from '../db/pool.ts';
import { randomBase62 } from '../ids.ts';
import { paymentView } from '../payments/payments.ts';
import { latestSuccessfulPayment } from '../payments/store.ts';
import { USER_AGENT } from '../webhooks/deliver.ts';
import { getEndpoint } from '../webhooks/store.ts';
import { faceOf } from '../webhooks/faces.ts';
import { createPoster } from '../webhooks/http.ts';
import type { WebhookServices } from '../webhooks/services.ts';

/**
 * "Send a test event": one signed POST to an endpoint now, answered with what was sent and what
 * the receiver said, so a developer can check their signature verification before any real
 * event. Nothing is stored and nothing retries: the event id starts `evt_test_` (never a real
 * event's) and `X-Sandpay-Test: true` is set. The body is a `payment.success` event about the
 * tenant's latest successful payment, or a sample payment when there is none yet.
 */

export const webhookTestObject = z
  .strictObject({
    object: z.literal('webhook_test'),
    endpoint_id: z.string(),
    url: z.string(),
    request: z.strictObject({ headers: z.record(z.string(), z.string()), body: z.string() }),
    response: z.strictObject({ status_code: z.number().int().nullable(), latency_ms: z.number(), body: z.string().nullable(), error: z.string().nullable() }),
    delivered: z.boolean(),
    sent_at: isoTime,
  })
  .meta({ id: 'WebhookTest' });

function samplePayment(now: Date) {
  return {
    id: `pay_test_${randomBase62(11)}`, object: 'payment', amount: 5000, currency: 'INR', status: 'success', method: 'card',
    card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: now.getUTCFullYear() + 3, fingerprint: null, funding: 'credit' },
    capture_method: 'automatic', amount_captured: 5000, amount_refunded: 0, order_id: null, failure_code: null, failure_message: null,
    fraud: null, description: 'Sandpay test event', customer_email: null, customer_contact: null, billing: { country: null }, metadata: {}, webhook_url: null,
    livemode: false, expires_at: null, authorized_at: null, captured_at: now.toISOString(), created_at: now.toISOString(), updated_at: now.toISOString(),
  };
}

async function latestSuccess(db: Queryable, tenantId: string) {
  const p = await latestSuccessfulPayment(db, tenantId);
  return p ? paymentView(p) : null;
}

export async function sendTestEvent(svc: Pick<WebhookServices, 'db' | 'config' | 'webhookFaces'>, tenantId: string, endpointId: string): Promise<z.output<typeof webhookTestObject>> {
  const endpoint = await getEndpoint(svc.db, tenantId, endpointId);
  const now = new Date();
  const id = `evt_test_${randomBase62(20)}`;
  // In the endpoint's own format (a Razorpay endpoint gets payment.captured, signed its way), under
  // the face's last name for it: the one about the whole payment (Stripe's PaymentIntent, sent after the Charge).
  const face = faceOf(svc.webhookFaces, endpoint.format);
  const payload = (await latestSuccess(svc.db, tenantId)) ?? samplePayment(now);
  const names = face.eventNames({ type: 'payment.success', object: payload });
  const content = face.render({
    secret: endpoint.secret, tenantId, paymentSnapshot: null, apiVersion: endpoint.api_version,
    event: { id, type: 'payment.success', created_at: now, payload }, name: names.at(-1)!, names,
  })!;
  const body = content.body;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...content.headers,
    'x-sandpay-test': 'true',
  };
  const post = createPoster({ timeoutMs: svc.config.webhooks.timeoutMs, allowPrivate: svc.config.webhooks.allowPrivate, userAgent: USER_AGENT });
  const result = await post(endpoint.url, body, headers);
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  return {
    object: 'webhook_test',
    endpoint_id: endpoint.id,
    url: endpoint.url,
    request: { headers, body },
    response: { status_code: result.statusCode, latency_ms: result.latencyMs, body: result.body, error: result.error },
    delivered: ok,
    sent_at: now.toISOString(),
  };
}

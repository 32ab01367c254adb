import Razorpay from 'razorpay';
import { expect } from 'vitest';
import { Client, registerTenant, type TestTenant } from './client.ts';
import { Receiver } from './receiver.ts';
import { startTestSystem } from './system.ts';

export interface RazorpayKeys {
  key_id: string;
  key_secret: string;
}

/** A Razorpay key pair for the tenant (POST /api/v1/auth/keys). */
export async function razorpayKeys(t: TestTenant): Promise<RazorpayKeys> {
  const res = await t.api.post('/auth/keys', { type: 'razorpay' });
  expect(res.status, res.text).toBe(201);
  return { key_id: res.body.key_id, key_secret: res.body.key_secret };
}

/** The official SDK, unchanged but for its host (FACTS.md: its axios instance can be re-pointed). */
export function razorpaySdk(baseUrl: string, keys: RazorpayKeys): Razorpay {
  const rzp = new Razorpay(keys);
  (rzp.api as unknown as { rq: { defaults: { baseURL: string } } }).rq.defaults.baseURL = baseUrl;
  return rzp;
}

/** What the SDK rejects with on an error answer: `{statusCode, error}`. */
export async function sdkError(p: Promise<unknown>): Promise<{ statusCode: number; error: Record<string, any> }> {
  try {
    await p;
  } catch (err) {
    return err as { statusCode: number; error: Record<string, any> };
  }
  throw new Error('expected the SDK call to fail');
}

/** Asserts Razorpay's error shape (and optionally status, field and description). */
export function expectRazorpayError(e: { statusCode: number; error: Record<string, any> }, status: number, expected: { field?: string; description?: RegExp; reason?: string } = {}): void {
  expect(e.statusCode, JSON.stringify(e.error)).toBe(status);
  expect(e.error).toMatchObject({ code: expect.stringMatching(/^(BAD_REQUEST_ERROR|SERVER_ERROR)$/), description: expect.any(String), source: expect.any(String), step: expect.any(String), reason: expect.any(String), metadata: {} });
  if (expected.field) expect(e.error.field).toBe(expected.field);
  if (expected.description) expect(e.error.description).toMatch(expected.description);
  if (expected.reason) expect(e.error.reason).toBe(expected.reason);
}

/** HTTP Basic for raw /v1 requests (what the SDK cannot send). */
export const basicAuth = (keys: RazorpayKeys) => `Basic ${Buffer.from(`${keys.key_id}:${keys.key_secret}`).toString('base64')}`;

/**
 * A system with tenant A (its Razorpay keys and SDK), tenant B's SDK for isolation checks, and a
 * receiver behind a Razorpay-format endpoint for `events`, signed with `secret`. Call in a
 * beforeAll; stop() in the afterAll.
 */
export async function razorpayWorld(events: string[], secret: string, env: Record<string, string> = {}) {
  const sys = await startTestSystem({ WEBHOOK_RETRY_SCHEDULE: 'none', ...env });
  const t = await registerTenant(sys.url, 'A');
  const keys = await razorpayKeys(t);
  const rzp = razorpaySdk(sys.url, keys);
  const other = razorpaySdk(sys.url, await razorpayKeys(await registerTenant(sys.url, 'B')));
  const receiver = await new Receiver().start();
  const endpoint = await t.api.post('/webhook-endpoints', { url: `${receiver.url}/rzp`, events, format: 'razorpay', secret });
  if (endpoint.status !== 201) throw new Error(`webhook endpoint: ${endpoint.text}`);
  return {
    sys, t, keys, rzp, other, receiver,
    /** A Sandpay-only call of the face (a simulated payer, a dispute raised), with A's key pair. */
    sandpay: (path: string, body: Record<string, unknown>) => new Client(sys.url).post(path, body, { key: null, headers: { authorization: basicAuth(keys) } }),
    /** The bodies of `event` about `entity` `id` received so far, each checked against its signature. */
    hooks: (event: string, entity: string, id: string) =>
      receiver.received.filter((r) => r.body?.event === event && r.body?.payload?.[entity]?.entity?.id === id).map((r) => {
        if (!Razorpay.validateWebhookSignature(r.rawBody, String(r.headers['x-razorpay-signature']), secret)) throw new Error(`${event}: bad signature`);
        return r.body;
      }),
    stop: async () => {
      await receiver.stop();
      await sys.stop();
    },
  };
}
export type RazorpayWorld = Awaited<ReturnType<typeof razorpayWorld>>;

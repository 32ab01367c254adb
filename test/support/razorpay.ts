import Razorpay from 'razorpay';
import { expect } from 'vitest';
import type { TestTenant } from './client.ts';

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

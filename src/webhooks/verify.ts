import { timingSafeEqual } from 'node:crypto';
import { signSimple, signStandard } from './signature.ts';

export type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

export interface VerifyOptions {
  /** How far webhook-timestamp may be from now, in seconds (Standard Webhooks uses 5 minutes). */
  toleranceSec?: number;
  /** Unix seconds; defaults to now. */
  now?: number;
}

export type VerifyResult =
  | { valid: true; scheme: 'standard' | 'simple'; id: string | null; timestamp: number | null }
  | { valid: false; reason: string };

function header(headers: Headers, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const h = headers as Record<string, string | string[] | undefined>;
  const value = h[name] ?? h[Object.keys(h).find((k) => k.toLowerCase() === name) ?? ''];
  return Array.isArray(value) ? value[0] : value;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies a Sandpay delivery from its raw body (the exact bytes received, before any JSON
 * parsing), its headers and the endpoint's whsec_ secret. Prefers the Standard Webhooks
 * headers (webhook-id, webhook-timestamp, webhook-signature), which also bind the id and time;
 * falls back to X-Sandpay-Signature. Dedupe on webhook-id: it is the same across retries.
 */
export function verifyWebhook(rawBody: string | Buffer, headers: Headers, secret: string, opts: VerifyOptions = {}): VerifyResult {
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const signature = header(headers, 'webhook-signature');
  if (signature !== undefined) {
    const id = header(headers, 'webhook-id');
    const ts = header(headers, 'webhook-timestamp');
    if (!id || !ts || !/^\d+$/.test(ts)) return { valid: false, reason: 'missing webhook-id or webhook-timestamp' };
    const timestamp = Number(ts);
    const now = opts.now ?? Math.floor(Date.now() / 1000);
    const tolerance = opts.toleranceSec ?? 300;
    if (Math.abs(now - timestamp) > tolerance) return { valid: false, reason: `timestamp outside the ${tolerance} s tolerance` };
    const expected = signStandard(secret, id, timestamp, body);
    // The header may carry several space-separated signatures (e.g. during secret rotation).
    const ok = signature.split(' ').some((s) => s.length > 0 && same(s, expected));
    return ok ? { valid: true, scheme: 'standard', id, timestamp } : { valid: false, reason: 'no matching v1 signature' };
  }
  const simple = header(headers, 'x-sandpay-signature');
  if (simple !== undefined) {
    return same(simple, signSimple(secret, body))
      ? { valid: true, scheme: 'simple', id: header(headers, 'webhook-id') ?? null, timestamp: null }
      : { valid: false, reason: 'X-Sandpay-Signature does not match' };
  }
  return { valid: false, reason: 'no signature header' };
}

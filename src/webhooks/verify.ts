import { timingSafeEqual } from 'node:crypto';
import { signSimple, signStandard } from './signature.ts';

export type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

export type Scheme = 'standard' | 'simple';

export interface VerifyOptions {
  /**
   * Which signature to check: 'standard' (webhook-id, webhook-timestamp, webhook-signature:
   * binds the id and time, so a captured delivery cannot be replayed later) or 'simple'
   * (X-Sandpay-Signature over the body only). Never a fallback: a missing header fails.
   */
  scheme?: Scheme;
  /** Standard scheme: how far webhook-timestamp may be from now, in seconds (default 300). */
  toleranceSec?: number;
  /** Unix seconds; defaults to now. */
  now?: number;
}

export type VerifyResult =
  | { valid: true; scheme: Scheme; id: string | null; timestamp: number | null }
  | { valid: false; scheme: Scheme; reason: string };

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
 * parsing), its headers and the endpoint's whsec_ secret, with the scheme asked for (Standard
 * Webhooks by default). It never falls back to the other scheme when a header is missing: that
 * would let anyone who strips webhook-signature from an old capture skip the timestamp check.
 * Dedupe on webhook-id: it is the same across retries.
 */
export function verifyWebhook(rawBody: string | Buffer, headers: Headers, secret: string, opts: VerifyOptions = {}): VerifyResult {
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const scheme = opts.scheme ?? 'standard';
  if (scheme === 'simple') return verifySimple(body, headers, secret);
  if (scheme === 'standard') return verifyStandard(body, headers, secret, opts);
  throw new TypeError(`unknown webhook signature scheme ${JSON.stringify(scheme)}: use 'standard' or 'simple'`);
}

function verifyStandard(body: string, headers: Headers, secret: string, opts: VerifyOptions): VerifyResult {
  const fail = (reason: string): VerifyResult => ({ valid: false, scheme: 'standard', reason: `standard scheme: ${reason}` });
  const signature = header(headers, 'webhook-signature');
  if (signature === undefined) return fail('no webhook-signature header');
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  if (!id || !ts || !/^\d+$/.test(ts)) return fail('missing webhook-id or webhook-timestamp');
  const timestamp = Number(ts);
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSec ?? 300;
  if (Math.abs(now - timestamp) > tolerance) return fail(`timestamp outside the ${tolerance} s tolerance`);
  const expected = signStandard(secret, id, timestamp, body);
  // The header may carry several space-separated signatures (e.g. during secret rotation).
  const ok = signature.split(' ').some((s) => s.length > 0 && same(s, expected));
  return ok ? { valid: true, scheme: 'standard', id, timestamp } : fail('no matching v1 signature');
}

function verifySimple(body: string, headers: Headers, secret: string): VerifyResult {
  const fail = (reason: string): VerifyResult => ({ valid: false, scheme: 'simple', reason: `simple scheme: ${reason}` });
  const signature = header(headers, 'x-sandpay-signature');
  if (signature === undefined) return fail('no X-Sandpay-Signature header');
  return same(signature, signSimple(secret, body))
    ? { valid: true, scheme: 'simple', id: header(headers, 'webhook-id') ?? null, timestamp: null }
    : fail('X-Sandpay-Signature does not match');
}

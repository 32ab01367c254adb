import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import axios, { AxiosError } from 'axios';
import { assertUrlAllowed, BlockedUrlError, guardedLookup } from './ssrf.ts';

export interface PostResult {
  statusCode: number | null;
  latencyMs: number;
  /** The first 1 kB of the response body. */
  body: string | null;
  error: string | null;
  /** Seconds the receiver asked us to wait (Retry-After on 429/503). */
  retryAfterSec: number | null;
}

export type Poster = (url: string, body: string, headers: Record<string, string>) => Promise<PostResult>;

const BODY_LIMIT = 1024;

async function readUpTo(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) break; // leaving the loop destroys the stream: the rest is never read
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

export function parseRetryAfter(value: unknown, now = Date.now()): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

function describe(err: unknown): string {
  if (err instanceof BlockedUrlError) return `blocked: ${err.message}`;
  if (err instanceof AxiosError) {
    if (err.cause instanceof BlockedUrlError) return `blocked: ${err.cause.message}`;
    if (err.code === 'ECONNABORTED' || err.code === 'ERR_CANCELED' || err.code === 'ETIMEDOUT') return 'timeout';
    return err.code ? `${err.code}: ${err.message}` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * The delivery HTTP client: POSTs the raw JSON, follows no redirects, gives up after the
 * timeout (headers and body together), keeps the first 1 kB of the answer, and when private
 * targets are refused checks the URL and every DNS answer it connects to.
 */
export function createPoster(opts: { timeoutMs: number; allowPrivate: boolean; userAgent: string }): Poster {
  const lookup = opts.allowPrivate ? undefined : guardedLookup;
  const client = axios.create({
    timeout: opts.timeoutMs,
    maxRedirects: 0,
    proxy: false,
    responseType: 'stream',
    validateStatus: () => true,
    transformRequest: [(data: unknown) => data],
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256, ...(lookup ? { lookup } : {}) }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256, ...(lookup ? { lookup } : {}) }),
  });

  return async (url, body, headers) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      if (!opts.allowPrivate) await assertUrlAllowed(url, false);
      const res = await client.post<Readable>(url, Buffer.from(body), {
        headers: { ...headers, 'user-agent': opts.userAgent, 'content-type': 'application/json' },
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      const latencyMs = elapsed();
      const text = await readUpTo(res.data, BODY_LIMIT);
      const retryAfterSec = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers['retry-after']) : null;
      const redirect = res.status >= 300 && res.status < 400 ? `redirect to ${res.headers.location ?? '?'} not followed` : null;
      return { statusCode: res.status, latencyMs, body: text, error: redirect, retryAfterSec };
    } catch (err) {
      return { statusCode: null, latencyMs: elapsed(), body: null, error: describe(err).slice(0, 500), retryAfterSec: null };
    }
  };
}

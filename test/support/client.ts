import { expect } from 'vitest';
import { randomBase62 } from '../../src/ids.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as-is (for malformed JSON tests); wins over `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Idempotency-Key header. */
  idem?: string;
  /** Overrides the client's key; null sends no Authorization header. */
  key?: string | null;
}

/** A thin fetch client for black-box tests against a started Sandpay. */
export class Client {
  readonly baseUrl: string;
  readonly key: string | undefined;

  constructor(baseUrl: string, key?: string) {
    this.baseUrl = baseUrl;
    this.key = key;
  }

  withKey(key: string | undefined): Client {
    return new Client(this.baseUrl, key);
  }

  async request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? this.key : opts.key;
    if (key) headers.authorization = `Bearer ${key}`;
    if (opts.idem !== undefined) headers['idempotency-key'] = opts.idem;
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, opts?: RequestOptions) {
    return this.request<T>('GET', path, opts);
  }
  post<T = any>(path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>('POST', path, { ...opts, body });
  }
  patch<T = any>(path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>('PATCH', path, { ...opts, body });
  }
  delete<T = any>(path: string, opts?: RequestOptions) {
    return this.request<T>('DELETE', path, opts);
  }
}

export interface TestTenant {
  id: string;
  sk: string;
  pk: string;
  whsec: string;
  api: Client;
}

export async function registerTenant(baseUrl: string, name = 'Test Shop'): Promise<TestTenant> {
  const res = await new Client(baseUrl).post('/api/v1/auth/register', {
    name,
    email: `dev-${randomBase62(10).toLowerCase()}@example.com`,
  });
  expect(res.status, res.text).toBe(201);
  return {
    id: res.body.id,
    sk: res.body.secret_key,
    pk: res.body.publishable_key,
    whsec: res.body.webhook_secret,
    api: new Client(baseUrl + '/api/v1', res.body.secret_key),
  };
}

export const idemKey = () => `test-${randomBase62(16)}`;

/** Asserts the CONVENTIONS error shape, and optionally its status, type, code and param. */
export function expectError(
  res: ApiResponse,
  status: number,
  expected: { type?: string; code?: string; param?: string } = {},
): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(res.body?.error, res.text).toBeDefined();
  const err = res.body.error;
  expect(typeof err.type).toBe('string');
  expect(typeof err.code).toBe('string');
  expect(typeof err.message).toBe('string');
  expect(err.request_id).toBe(res.headers.get('x-request-id'));
  if (expected.type) expect(err.type).toBe(expected.type);
  if (expected.code) expect(err.code).toBe(expected.code);
  if (expected.param) expect(err.param).toBe(expected.param);
  // A 500 never leaks internals.
  expect(res.text).not.toMatch(/at .*\.ts:\d+|SELECT |INSERT |stack/);
}

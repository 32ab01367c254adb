import { randomUUID } from 'node:crypto';

/** A failure to report as one line on stderr and a non-zero exit. */
export class CliError extends Error {
  readonly exitCode: number;
  /** Worth retrying (server away or restarting), as opposed to a wrong key or a bad request. */
  readonly transient: boolean;

  constructor(message: string, opts: { exitCode?: number; transient?: boolean } = {}) {
    super(message);
    this.exitCode = opts.exitCode ?? 1;
    this.transient = opts.transient ?? false;
  }
}

export interface ApiOptions {
  url: string;
  apiKey: string | undefined;
}

/** The base URL, checked: an http(s) URL without a path beyond "/". */
export function baseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`Invalid Sandpay URL ${JSON.stringify(raw)}: expected something like http://127.0.0.1:3000`, { exitCode: 2 });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`Invalid Sandpay URL ${JSON.stringify(raw)}: it must start with http:// or https://`, { exitCode: 2 });
  }
  return url;
}

/** Why a fetch failed, in words: connection refused, unknown host, timeout. */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if ((err as Error).name === 'TimeoutError') return 'timed out';
  return cause?.message ?? (err as Error).message;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Sends a fresh Idempotency-Key (required on POST /payments; harmless elsewhere). */
  idempotent?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The path is not under /api/v1 (the hosted checkout page's own calls). */
  outsideApi?: boolean;
}

/** Sandpay's public HTTP API, with its failures turned into one-line CliErrors. */
export class SandpayApi {
  readonly base: URL;
  private readonly apiKey: string;

  constructor(opts: ApiOptions) {
    this.base = baseUrl(opts.url);
    if (!opts.apiKey) throw new CliError('No API key: pass --api-key sk_test_… or set SANDPAY_API_KEY', { exitCode: 2 });
    // The publishable key can do a little (create payments), so the failures would come later and stranger.
    if (opts.apiKey.startsWith('pk_')) throw new CliError('That is a publishable key (pk_…): the CLI needs your secret key (sk_test_…) or a restricted key', { exitCode: 2 });
    this.apiKey = opts.apiKey;
  }

  url(path: string, query: RequestOptions['query'] = {}, outsideApi = false): URL {
    const u = new URL(outsideApi ? path : `/api/v1${path}`, this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** The raw fetch, with auth; throws a transient CliError when the server cannot be reached. */
  async fetch(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotent) headers['idempotency-key'] = `sandpay-cli-${randomUUID()}`;
    try {
      return await fetch(this.url(path, opts.query, opts.outsideApi), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal ?? null,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new CliError(`Cannot reach Sandpay at ${this.base.origin}: ${networkReason(err)} (is it running? set --url or SANDPAY_URL)`, { transient: true });
    }
  }

  async request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(method, path, opts);
    const text = await res.text();
    if (res.ok) return JSON.parse(text) as T;
    throw apiError(res, text, `${method} ${path}`);
  }

  get<T = any>(path: string, query?: RequestOptions['query']) {
    return this.request<T>('GET', path, { query });
  }

  post<T = any>(path: string, body: unknown = {}, opts: Omit<RequestOptions, 'body'> = {}) {
    return this.request<T>('POST', path, { ...opts, body, idempotent: opts.idempotent ?? true });
  }
}

/** A non-2xx answer as one line: what Sandpay said, or that this does not look like Sandpay. */
export function apiError(res: Response, text: string, what: string): CliError {
  let error: { type?: string; code?: string; message?: string } | undefined;
  try {
    error = JSON.parse(text).error;
  } catch {
    error = undefined;
  }
  if (!error?.code) {
    return new CliError(`${what}: HTTP ${res.status} from ${new URL(res.url).origin}, which does not answer like Sandpay (is --url right?)`, { transient: res.status >= 502 });
  }
  if (res.status === 401) return new CliError(`Sandpay rejected the API key (${error.code}): ${(error.message ?? '').replace(/\.?$/, '.')} Check --api-key or SANDPAY_API_KEY.`);
  if (res.status === 403) return new CliError(`Not allowed (${error.code}): ${error.message}`);
  return new CliError(`${what} failed: ${res.status} ${error.code}: ${error.message}`, { transient: res.status === 503 || res.status === 429 });
}

// The dashboard calls the same JSON API as any integration, with its session cookie. Writes
// carry the session's CSRF token and an Idempotency-Key (so a retried click never acts twice).

let csrfToken = null;
const signedOut = new Set();

export function setCsrfToken(token) {
  csrfToken = token;
}

/** Called when the API says the session is gone (expired, signed out elsewhere, key rotated). */
export function onSignedOut(fn) {
  signedOut.add(fn);
  return () => signedOut.delete(fn);
}

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `Sandpay answered ${status}`);
    this.status = status;
    this.code = error?.code ?? null;
    this.param = error?.param ?? null;
    this.requestId = error?.request_id ?? null;
  }
}

export const newIdempotencyKey = () => `dashboard-${crypto.randomUUID()}`;

/** Query string from an object, leaving out empty values. */
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function api(method, path, body, opts = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
    headers['idempotency-key'] = opts.idempotencyKey ?? newIdempotencyKey();
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { message: 'Sandpay could not be reached. Is it still running?', code: 'network_error' });
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = new ApiError(res.status, json?.error);
    if (res.status === 401 && !opts.signingIn) for (const fn of signedOut) fn(err);
    throw err;
  }
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}, opts) => api('POST', path, body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

import { last4, looksSecret, maskText } from './secret-text.ts';

/**
 * The one redaction pass. Every string Sandpay keeps about a request (the request log: bodies,
 * query, headers, error fields, request id) or writes to its own log (each whole stdout line) goes
 * through these functions, so a secret is masked the same way wherever it would land: a field
 * named like a secret is replaced whatever its value, and any other key or value has the secrets
 * and card numbers inside it masked (src/core/secret-text.ts). What is kept shows enough to debug
 * with: a card's last four digits, a key's prefix and last four.
 */

export const REDACTED = '[REDACTED]';

/** Field names whose values are never kept (compared lower-case, without separators). */
const SECRET_FIELDS = new Set([
  'cvc', 'cvv', 'cvc2', 'password', 'pass', 'pin', 'otp', 'token', 'secret', 'secretkey', 'keysecret', 'webhooksecret', 'apikey', 'admintoken',
  'authorization', 'signature', 'publishablekey', 'accesstoken', 'refreshtoken', 'clientsecret', 'jwt', 'bearer', 'cookie',
]);

const CARD_FIELDS = new Set(['number', 'cardnumber', 'pan']);

/** A JWK's private members (RFC 7518 §6): only inside an object that is a JWK (has `kty`). */
const JWK_PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);

const MAX_DEPTH = 12;
const MAX_STRING = 20_000;

const normal = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** How much text a redaction still searches; past it, values are left out (`budget` of redactJson). */
interface Budget {
  left: number;
}

const TRUNCATED = '[truncated]';

function redactValue(value: unknown, field: string | null, depth: number, budget: Budget): unknown {
  if (depth > MAX_DEPTH) return '[nested too deep]';
  if (budget.left <= 0) return TRUNCATED;
  if (field !== null) {
    const name = normal(field);
    if (SECRET_FIELDS.has(name) || name.endsWith('secret') || name.endsWith('password')) return value === null || value === undefined ? value : REDACTED;
    if (CARD_FIELDS.has(name) && (typeof value === 'string' || typeof value === 'number')) return `••••${last4(String(value))}`;
  }
  // Nothing keeps more of one string than this (the request log keeps 16 kB of a body), so a longer
  // one is cut before it is searched: a hostile body's masking costs a bounded pass.
  if (typeof value === 'string') {
    const keep = Math.min(MAX_STRING, budget.left);
    const cut = value.length > keep ? `${value.slice(0, keep)}…${TRUNCATED}` : value;
    budget.left -= cut.length;
    return maskText(cut);
  }
  // A card number sent as a JSON number ({"a": 4242424242424242}) is masked like one in a string;
  // 14 digits at least, so epoch milliseconds (pino's own `time`) and other 13-digit counts stay.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1e13 && looksSecret(String(value))) {
    budget.left -= 8;
    return `••••${last4(String(value))}`;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      if (budget.left <= 0) return [...out, TRUNCATED];
      out.push(redactValue(v, null, depth + 1, budget));
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const jwk = 'kty' in value;
    // Entries, then fromEntries: a "__proto__" key stays an own property, as JSON.parse made it.
    const out: Array<[string, unknown]> = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (budget.left <= 0) {
        out.push([TRUNCATED, true]);
        break;
      }
      budget.left -= k.length;
      out.push([maskText(k), jwk && JWK_PRIVATE.has(k) ? REDACTED : redactValue(v, k, depth + 1, budget)]);
    }
    return Object.fromEntries(out);
  }
  budget.left -= String(value).length;
  return value;
}

/**
 * Parsed JSON with secrets redacted in its keys and values, by name and by shape. With a
 * `budget` (characters), what lies past it is left out rather than searched: the request log,
 * which keeps 16 kB of a body, pays for no more than it keeps, however wide the body.
 */
export function redactJson(value: unknown, budget = Infinity): unknown {
  return redactValue(value, null, 0, { left: budget });
}

/** Free text (a header, an error message) with the secrets and card numbers in it masked. */
export const redactText = maskText;

/**
 * One log line (pino's JSON) as it may be written: redacted like a request body, so a secret
 * that reached any field of it (a URL, a request id, an error message, a key) is masked.
 */
export function redactLogLine(line: string): string {
  try {
    return JSON.stringify(redactJson(JSON.parse(line))) + (line.endsWith('\n') ? '\n' : '');
  } catch {
    return maskText(line);
  }
}

/** A word of a query parameter name (api_key, apiKey, card[number]…) that makes its value a secret. */
const SENSITIVE_WORD = /^(?:\w*key|token\w*|secret\w*|pass(?:word|wd)?|pwd|sig(?:nature)?|auth\w*|card\w*|number|cvc|cvv|pin|otp|session\w*|cookie|credentials?|jwt\w*|bearer)$/;

/**
 * A bare high-entropy token: 20 or more letters and digits, both cases, no prefix. A Razorpay
 * key_secret looks like this (24 base62 characters, which hold no digit one time in seventy, so a
 * digit is not required); no id or value of Sandpay's does (ids carry a prefix and an underscore),
 * so in a query it is taken for a secret.
 */
const BARE_TOKEN = /^(?=.*[a-z])(?=.*[A-Z])[0-9A-Za-z]{20,}$/s;

function sensitiveName(name: string): boolean {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/);
  return words.some((w) => SENSITIVE_WORD.test(w));
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

const secretInQuery = (text: string) => looksSecret(text) || BARE_TOKEN.test(text);

/**
 * A request URL fit for the log: the value of a query parameter named like a secret, and any
 * path segment, parameter name or value that looks like a key, webhook secret, admin token, JWT,
 * card number (or, in the query, a bare key secret), become [REDACTED].
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const pathPart = q === -1 ? url : url.slice(0, q);
  const redactedPath = pathPart
    .split('/')
    .map((segment) => (looksSecret(decode(segment)) ? REDACTED : segment))
    .join('/');
  if (q === -1) return redactedPath;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      const name = decode(rawName);
      const shownName = secretInQuery(name) ? REDACTED : rawName;
      if (eq === -1) return shownName;
      const value = pair.slice(eq + 1);
      const secret = value !== '' && (sensitiveName(name) || secretInQuery(decode(value)));
      return `${shownName}=${secret ? REDACTED : value}`;
    })
    .join('&');
  return `${redactedPath}?${query}`;
}

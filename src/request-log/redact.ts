import { maskText } from '../core/secret-text.ts';

/**
 * Bodies as the request log keeps them: card numbers, cvc, API keys, webhook secrets, tokens and
 * passwords never reach the table. A field named like a secret is replaced whatever its value;
 * any string elsewhere that holds a card number (12–19 digits passing Luhn) or a Sandpay secret
 * has that part masked. What is kept shows enough to debug with: a card's last four digits, a
 * key's prefix and last four.
 */

export const MAX_BODY_CHARS = 16_384;

/** Field names whose values are never kept (compared lower-case, without separators). */
const SECRET_FIELDS = new Set([
  'cvc', 'cvv', 'cvc2', 'password', 'pass', 'pin', 'otp', 'token', 'secret', 'secretkey', 'keysecret', 'webhooksecret', 'apikey', 'admintoken',
  'authorization', 'signature', 'publishablekey', 'accesstoken', 'refreshtoken', 'clientsecret',
]);

const CARD_FIELDS = new Set(['number', 'cardnumber', 'pan']);

/** A JWK's private members (RFC 7518 §6): only inside an object that is a JWK (has `kty`). */
const JWK_PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);

const last4 = (s: string) => s.replace(/[^0-9A-Za-z]/g, '').slice(-4);

const normal = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

function redactValue(value: unknown, field: string | null, depth: number): unknown {
  if (depth > 12) return '[nested too deep]';
  if (field !== null) {
    const name = normal(field);
    if (SECRET_FIELDS.has(name) || name.endsWith('secret') || name.endsWith('password')) return value === null || value === undefined ? value : '[REDACTED]';
    if (CARD_FIELDS.has(name) && (typeof value === 'string' || typeof value === 'number')) return `••••${last4(String(value))}`;
  }
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, null, depth + 1));
  if (value !== null && typeof value === 'object') {
    const jwk = 'kty' in value;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jwk && JWK_PRIVATE.has(k) ? '[REDACTED]' : redactValue(v, k, depth + 1)]),
    );
  }
  return value;
}

export function redactJson(value: unknown): unknown {
  return redactValue(value, null, 0);
}

const clip = (text: string) => (text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…[truncated]` : text);

/** A parsed request body as stored text (null when there was none). */
export function redactedRequestBody(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return null;
  return clip(JSON.stringify(redactJson(body)));
}

/** A response body (the text sent) as stored text: JSON is redacted field by field, anything else masked. */
export function redactedResponseBody(text: string | null): string | null {
  if (text === null || text === '') return null;
  if (text.length <= 256 * 1024) {
    try {
      return clip(JSON.stringify(redactJson(JSON.parse(text))));
    } catch {
      // not JSON: mask it as text
    }
  }
  return clip(maskText(text.slice(0, MAX_BODY_CHARS * 2)));
}

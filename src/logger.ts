import { pino, type DestinationStream, type Logger } from 'pino';
import { looksSecret } from './core/secret-text.ts';

export type { Logger };

/**
 * Secrets never reach the log: request headers are not serialised at all (see http/app.ts),
 * request URLs pass through redactUrl, and these paths cover anything that slips into a log
 * object by name.
 */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'secret',
  '*.secret',
  'secret_key',
  '*.secret_key',
  'key_secret',
  '*.key_secret',
  'webhook_secret',
  '*.webhook_secret',
  'password',
  '*.password',
  'cvc',
  '*.cvc',
  'card.number',
  '*.card.number',
  'card.cvc',
  '*.card.cvc',
];

export const REDACTED = '[REDACTED]';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: REDACTED }, base: { service: 'sandpay' } };
  return destination ? pino(options, destination) : pino(options);
}

/** A word of a query parameter name (api_key, apiKey, card[number]…) that makes its value a secret. */
const SENSITIVE_WORD = /^(?:\w*key|token\w*|secret\w*|pass(?:word|wd)?|pwd|sig(?:nature)?|auth\w*|card\w*|number|cvc|cvv|pin|otp|session\w*|cookie|credentials?)$/;

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

/**
 * A request URL fit for the log: the value of a query parameter named like a secret, and any
 * path segment, parameter name or value that looks like a key, webhook secret, admin token or
 * card number, become [REDACTED].
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
      const shownName = looksSecret(name) ? REDACTED : rawName;
      if (eq === -1) return shownName;
      const value = pair.slice(eq + 1);
      const secret = value !== '' && (sensitiveName(name) || looksSecret(decode(value)));
      return `${shownName}=${secret ? REDACTED : value}`;
    })
    .join('&');
  return `${redactedPath}?${query}`;
}

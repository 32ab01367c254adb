import { pino, type DestinationStream, type Logger } from 'pino';
import { redactLogLine } from './core/redact.ts';

export type { Logger };
export { REDACTED, redactUrl } from './core/redact.ts';

/**
 * Secrets never reach the log: request headers are not serialised at all (see http/app.ts),
 * request URLs pass through redactUrl, and every line, whatever it holds, passes through the
 * request log's own redaction (src/core/redact.ts) on its way out: fields named like a secret,
 * and keys, card numbers and tokens anywhere in a key or value.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, hooks: { streamWrite: redactLogLine }, base: { service: 'sandpay' } };
  return destination ? pino(options, destination) : pino(options);
}

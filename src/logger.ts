import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Secrets never reach the log: request headers are not serialised at all (see http/app.ts),
 * and these paths cover anything that slips into a log object by name.
 */
const REDACT = [
  'authorization',
  '*.authorization',
  'secret',
  '*.secret',
  'secret_key',
  '*.secret_key',
  'webhook_secret',
  '*.webhook_secret',
  'password',
  '*.password',
  'card.number',
  '*.card.number',
  'card.cvc',
  '*.card.cvc',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'sandpay' } });
}

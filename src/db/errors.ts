/**
 * Postgres errors sorted by SQLSTATE (never by message text) into what the API should do.
 */

export type DbErrorKind =
  | 'retryable' // serialization failure or deadlock: run the transaction again
  | 'unavailable' // no connection, server shutting down, pool exhausted, query timeout: 503
  | 'lock_timeout' // lock_timeout passed while waiting
  | 'unique_violation'
  | 'bad_input' // a data exception that validation should have caught; still the client's input
  | 'other';

const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled (statement_timeout)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '3D000', // invalid_catalog_name: the database went away
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

export function classifyDbError(err: unknown): DbErrorKind {
  if (!(err instanceof Error)) return 'other';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code === '40001' || code === '40P01') return 'retryable';
    if (code === '55P03') return 'lock_timeout';
    if (code === '23505') return 'unique_violation';
    if (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || NETWORK_CODES.has(code)) return 'unavailable';
    if (code.startsWith('22')) return 'bad_input';
  }
  // node-postgres reports a dropped socket and a pool wait timeout without a SQLSTATE.
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(err.message)) {
    return 'unavailable';
  }
  return 'other';
}

export const isRetryableTxError = (err: unknown) => classifyDbError(err) === 'retryable';

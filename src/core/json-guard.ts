import { isUtf8 } from 'node:buffer';
import { badRequest, DomainError } from './errors.ts';

/**
 * Checks on a JSON body's raw bytes, made before JSON.parse builds anything from them. A body of
 * 100 kB can nest 50,000 levels deep; every later walk over it (validation, the idempotency
 * fingerprint, redaction) is recursive, so depth is refused here, in one pass over the bytes that
 * allocates nothing, however the brackets are arranged. No Sandpay or Razorpay body nests past a
 * handful of levels (metadata and notes are flat).
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isOpen = (c: number) => c === 0x5b || c === 0x7b; // [ {
const isClose = (c: number) => c === 0x5d || c === 0x7d; // ] }

/** Whether JSON text nests arrays and objects deeper than `max` (brackets inside strings do not count). */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (isOpen(c)) {
      if (++depth > max) return true;
    } else if (isClose(c)) depth--;
  }
  return false;
}

/** The dotted path of the first key or string holding U+FFFD (where a decoder replaced bad bytes), if any. */
function replacedAt(value: unknown, path: string[]): string[] | null {
  if (typeof value === 'string') return value.includes('\uFFFD') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value)) {
    if (key.includes('\uFFFD')) return [...path, key];
    const found = replacedAt(v, [...path, key]);
    if (found) return found;
  }
  return null;
}

/**
 * Refuses a JSON body that nests too deep, is not UTF-8 (RFC 8259 §8.1), or holds bytes that are
 * not UTF-8 (a decoder would store them as U+FFFD without a word). The field holding bad bytes is
 * named when the rest of the body parses.
 */
export function checkJsonBytes(bytes: Buffer, charset: string | null): void {
  if (charset !== null && !/^utf-?8$/i.test(charset)) {
    throw new DomainError('unsupported_media', 'unsupported_charset', 'JSON bodies must be UTF-8');
  }
  if (nestsDeeperThan(bytes, MAX_JSON_DEPTH)) {
    throw badRequest('json_too_deep', `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
  }
  if (isUtf8(bytes)) return;
  let path: string[] | null = null;
  try {
    path = replacedAt(JSON.parse(bytes.toString('utf8')), []);
  } catch {
    // not JSON either: the parser's own error would do, but the encoding is the first thing wrong
  }
  const param = path?.join('.') || undefined;
  throw param
    ? badRequest('parameter_invalid', `Invalid ${param}: text must be valid UTF-8`, param)
    : badRequest('invalid_utf8', 'The request body is not valid UTF-8');
}

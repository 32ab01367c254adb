import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { PostResult } from './http.ts';
import type { checkCaseObject, checkReportObject } from './schemas.ts';

/** The handler check's rules (check.ts): how an answer is graded, and how a delivery is forged or tampered with. */

export type CheckCase = z.output<typeof checkCaseObject>;
export type CheckReport = z.output<typeof checkReportObject>;
export type CaseKind = CheckCase['case'];
export type Verdict = CheckCase['verdict'];
/** What the check's answers are graded against: 2xx (take it) or 4xx (refuse it). */
export type Expected = CheckCase['expected'];

/** The reason every forged delivery that was taken is given. */
export const ACCEPTS_FORGED = 'your handler accepts forged events';

const FORGERIES: Record<Extract<CaseKind, 'forged_signature' | 'tampered_body' | 'missing_signature' | 'stale_timestamp' | 'other_secret'>, string> = {
  forged_signature: 'a signature that was never computed with your secret',
  tampered_body: 'a body changed after it was signed',
  missing_signature: 'a delivery without its signature header',
  stale_timestamp: 'a validly signed delivery whose signature time is older than the tolerance (a replay)',
  other_secret: 'a delivery signed with another secret',
};

/** What a handler should do instead, for a 2xx case it got wrong. */
const TAKE_IT: Record<Extract<CaseKind, 'valid' | 'duplicate' | 'out_of_order' | 'unknown_event'>, string> = {
  valid: 'a validly signed delivery must be answered 2xx: check the secret, and verify the raw body before parsing it',
  duplicate: 'a delivery you already took comes again on every retry: answer 2xx again (dedupe on the event id)',
  out_of_order: 'events arrive out of order: answer 2xx, and let an older event not overwrite newer state',
  unknown_event: 'answer 2xx to an event type you do not handle, or it is retried until it is dead',
};

const is2xx = (s: number | null) => s !== null && s >= 200 && s < 300;

/**
 * A case's verdict from its answer. A missing answer (timeout, refused connection) fails either
 * way: Sandpay would retry a delivery it got no answer to.
 */
export function grade(kind: CaseKind, expected: Expected, r: Pick<PostResult, 'statusCode' | 'error'>, timeoutMs: number): { verdict: Verdict; why: string } {
  const s = r.statusCode;
  if (s === null) {
    if (r.error === 'timeout') return { verdict: 'fail', why: `no answer within the ${timeoutMs} ms delivery timeout: Sandpay would retry it (answer first, work later)` };
    return { verdict: 'fail', why: `not delivered: ${r.error ?? 'no answer'}` };
  }
  if (s >= 300 && s < 400) return { verdict: 'fail', why: `answered ${s}: redirects are not followed` };
  if (expected === '2xx') {
    if (is2xx(s)) return { verdict: 'pass', why: `answered ${s}` };
    const hint = TAKE_IT[kind as keyof typeof TAKE_IT] ?? TAKE_IT.valid;
    return { verdict: 'fail', why: `answered ${s}${s >= 500 ? ' (Sandpay retries it)' : ''}: ${hint}` };
  }
  if (is2xx(s)) return { verdict: 'fail', why: `${ACCEPTS_FORGED}: it answered ${s} to ${FORGERIES[kind as keyof typeof FORGERIES] ?? 'a forged delivery'}` };
  if (s >= 500) return { verdict: 'fail', why: `answered ${s}: refuse a bad signature with a 4xx (400 or 401), a 5xx says your handler broke and asks for retries` };
  return { verdict: 'pass', why: `refused with ${s}` };
}


/** Replaces each MAC in a signature header (a run of 20 or more hex or base64 characters) with random ones of its alphabet and length, padding kept. */
export function forgeSignature(value: string): string {
  return value.replace(/([A-Za-z0-9+/]{20,})(={0,2})/g, (_m, mac: string, padding: string) => {
    const hex = /^[0-9a-f]+$/.test(mac);
    const fresh = hex ? randomBytes(mac.length).toString('hex') : randomBytes(mac.length).toString('base64').replace(/=/g, '');
    return fresh.slice(0, mac.length) + padding;
  });
}

/** The body with its amount raised (what a tamperer wants); a body with no amount gets a field added. */
export function tamperBody(body: string): string {
  const changed = body.replace(/("amount"\s*:\s*)(\d+)/, (_m, key: string, n: string) => `${key}${Number(n) * 100 + 1}`);
  return changed !== body ? changed : body.replace(/}\s*$/, ',"tampered":true}');
}

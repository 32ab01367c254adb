import type { AnyRoute } from '../routing/route.ts';

/**
 * Every error status a route can answer: the ones its shape implies (input → 400, a path id →
 * 404, a key → 401/403/429, an Idempotency-Key → 409/422, any route → 503) plus those it declares.
 */
export function errorStatuses(route: AnyRoute): number[] {
  const s = new Set<number>([503, ...(route.errors ?? [])]);
  if (route.params) s.add(404);
  if (route.query || route.body) s.add(400);
  if (route.body) [413, 415].forEach((x) => s.add(x));
  if (route.auth !== 'none') [401, 403].forEach((x) => s.add(x));
  if (route.auth === 'secret' || route.auth === 'publishable' || route.auth === 'razorpay' || route.rateLimit) s.add(429);
  const keyed = route.auth === 'secret' || route.auth === 'publishable' || route.idempotencyScope !== undefined;
  if (route.write && route.idempotency !== 'none' && keyed) [400, 409, 422].forEach((x) => s.add(x));
  const statuses = route.errorFormat === 'razorpay' ? new Set([...s].map(razorpayStatus)) : s;
  return [...statuses].sort((a, b) => a - b);
}

/**
 * Razorpay's statuses for Sandpay's: it answers "no such id", conflicts and state errors alike as
 * 400 BAD_REQUEST_ERROR, and a key it will not serve as 401. The rest (400, 401, 429, 5xx) are the same.
 */
const RAZORPAY_STATUS: Readonly<Record<number, number>> = { 403: 401, 404: 400, 405: 400, 409: 400, 413: 400, 415: 400, 422: 400 };

export const razorpayStatus = (status: number): number => RAZORPAY_STATUS[status] ?? status;

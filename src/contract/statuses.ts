import type { AnyRoute } from '../routing/route.ts';

/** Whether a route's writes honour Idempotency-Key: Sandpay's key routes do, a face's as its dialect says. */
export function takesIdempotencyKey(route: AnyRoute): boolean {
  const keyed = route.auth === 'secret' || route.auth === 'publishable' || (route.auth === 'face' && route.face!.idempotencyKey) || route.idempotencyScope !== undefined;
  return route.write === true && route.idempotency !== 'none' && keyed;
}

/**
 * Every error status a route can answer: the ones its shape implies (input → 400, a path id →
 * 404, a key → 401/403/429, an Idempotency-Key → 409/422, any route → 503) plus those it declares,
 * in its face's statuses.
 */
export function errorStatuses(route: AnyRoute): number[] {
  const s = new Set<number>([503, ...(route.errors ?? [])]);
  if (route.params) s.add(404);
  if (route.query || route.body) s.add(400);
  if (route.body) [413, 415].forEach((x) => s.add(x));
  if (route.auth !== 'none') [401, 403].forEach((x) => s.add(x));
  if (route.auth === 'secret' || route.auth === 'publishable' || route.auth === 'face' || route.rateLimit) s.add(429);
  if (takesIdempotencyKey(route)) [400, 409, 422].forEach((x) => s.add(x));
  const statuses = route.face ? new Set([...s].map(route.face.status)) : s;
  return [...statuses].sort((a, b) => a - b);
}

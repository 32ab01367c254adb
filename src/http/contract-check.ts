import type { AnyRoute } from '../routing/route.ts';
import { errorStatuses } from '../contract/statuses.ts';
import { DomainError } from '../core/errors.ts';
import { errorSchema } from '../contract/error-schema.ts';

/**
 * In tests (NODE_ENV=test) every answer is checked against the route table before it is sent, so
 * a handler that drifts from its contract fails the suite instead of shipping a wrong document.
 */
function violation(route: AnyRoute, message: string): DomainError {
  return new DomainError('internal', 'contract_violation', `${route.method.toUpperCase()} ${route.path}: ${message}`);
}

export function checkAnswer(route: AnyRoute, status: number, text: string): void {
  const expected = route.status ?? 200;
  if (status !== expected) throw violation(route, `answered ${status}, the contract says ${expected}`);
  const result = route.response.safeParse(JSON.parse(text));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw violation(route, `body does not match its schema at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
}

/** An error answer must be one the route declares, in the error shape. Returns the violation, if any. */
export function checkError(route: AnyRoute, status: number, body: unknown): DomainError | null {
  if (status === 500) return null; // already a failure the suite sees
  if (!errorStatuses(route).includes(status)) return violation(route, `answered ${status}, which its contract does not declare`);
  const result = (route.face?.errorSchema ?? errorSchema).safeParse(body);
  return result.success ? null : violation(route, 'error body is not in the error shape');
}

import { z } from 'zod';
import type { Resource } from '../../../credentials/permissions.ts';
import { stripeHttpFace } from '../http-face.ts';
import type { createdFilter } from '../schemas.ts';

/**
 * What every Stripe route shares: the face (which claims /v1 requests with a Bearer key), Sandpay's
 * own keys (`auth: 'secret'`: restricted keys and service tokens keep their permissions), and the
 * Idempotency-Key stripe-node puts on every POST. Any of them may answer 404: an id in its path,
 * body, cursors or `expand[]` that the tenant does not have.
 */
export const base = { auth: 'secret' as const, face: stripeHttpFace, tag: 'Stripe', errors: [404] };

export const read = (resource: Resource) => ({ permission: { resource, level: 'read' as const } });
export const write = (resource: Resource) => ({ permission: { resource, level: 'write' as const }, write: true as const });

/** A path id: its shape is checked where it is looked up, so a wrong one is Stripe's "No such …" (404). */
export const idParams = z.strictObject({ id: z.string().min(1).max(200) });

export const listUrl = (resource: string) => `/v1/${resource}`;

const fromUnix = (s: number) => new Date(s * 1000);

/** Stripe's `created` filter as a time range (gt/lt taken a second inside, as Stripe's whole seconds mean). */
export function createdRange(created: z.output<typeof createdFilter> | undefined): { createdFrom?: Date; createdTo?: Date } {
  if (created === undefined) return {};
  if (typeof created === 'number') return { createdFrom: fromUnix(created), createdTo: fromUnix(created + 1 - 0.001) };
  const from = created.gte ?? (created.gt !== undefined ? created.gt + 1 : undefined);
  const to = created.lte !== undefined ? created.lte + 1 - 0.001 : created.lt !== undefined ? created.lt - 0.001 : undefined;
  return { ...(from !== undefined ? { createdFrom: fromUnix(from) } : {}), ...(to !== undefined ? { createdTo: fromUnix(to) } : {}) };
}

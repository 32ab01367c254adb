import type { RequestContext } from '../core/context.ts';
import type { FaultKind } from './schemas.ts';

export interface TenantSettings {
  /**
   * Async mode: payments start `pending` and a job settles them after `delay_ms`; instruments
   * that normally succeed then succeed with probability `success_rate`.
   */
  auto_process: { enabled: boolean; delay_ms: number; success_rate: number };
  /** Origins whose pages may open checkout.js and frame the hosted page (src/checkout/origins.ts). */
  checkout: { allowed_origins: string[] };
  /** Random fault injection on this tenant's API calls, off by default (src/http/faults.ts). */
  faults: { rate: number; kinds: FaultKind[]; seed: number | null };
}

export interface DbTenant {
  id: string;
  name: string;
  email: string;
  webhook_secret: string;
  settings: Partial<TenantSettings>;
  disabled: boolean;
  rate_limit: number | null;
  /** The tenant's clock (migration 0037, src/tenants/clock.ts): milliseconds ahead of real time (bigint: a string from a row, a number from JSON). */
  clock_offset_ms: string | number;
  clock_status: 'ready' | 'advancing';
  clock_advancing_to: Date | string | null;
  created_at: Date;
  updated_at: Date;
}

/** A tenant row read as `to_jsonb(t.*)` (joined to a key or session in one query): its timestamps come back as strings. */
export const tenantFromJson = (t: Omit<DbTenant, 'created_at' | 'updated_at'> & { created_at: string | Date; updated_at: string | Date }): DbTenant => ({
  ...t,
  created_at: new Date(t.created_at),
  updated_at: new Date(t.updated_at),
});

/** Who is acting, for which tenant (its row), in which request: the per-request context every domain write takes. */
export type Ctx = RequestContext<DbTenant>;

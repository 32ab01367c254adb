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
  created_at: Date;
  updated_at: Date;
}

import type { z } from 'zod';
import { invalidateOnCommit } from './caches.ts';
import { audit } from '../audit/append.ts';
import type { OperatorContext } from '../core/context.ts';
import { notFound } from '../core/errors.ts';
import type { CursorArgs, Page } from '../db/paginate.ts';
import type { Queryable, Tx } from '../db/pool.ts';
import type { adminTenantObject, adminTenantPatch } from './schemas.ts';
import type { TenantServices } from './services.ts';
import { lockTenant, listTenantsWithCounts, setTenantByOperator, tenantWithCounts, type TenantWithCounts } from './store.ts';
import { tenantView } from './tenants.ts';

type AdminTenant = z.output<typeof adminTenantObject>;

function adminTenantView(t: TenantWithCounts): AdminTenant {
  return {
    ...tenantView(t),
    rate_limit: t.rate_limit,
    counts: { payments: Number(t.payments), webhook_endpoints: Number(t.webhook_endpoints), dead_deliveries: Number(t.dead_deliveries) },
  };
}

export function listTenants(db: Queryable, disabled: boolean | undefined, page: CursorArgs, search?: string): Promise<Page<AdminTenant>> {
  return listTenantsWithCounts(db, { disabled, search }, page, adminTenantView);
}

/** The operator disables a tenant (its keys then get 403) or sets its own rate limit; audited in its chain. */
export async function updateTenantByOperator(t: Tx, svc: Pick<TenantServices, 'audit' | 'caches'>, op: OperatorContext, id: string, patch: z.output<typeof adminTenantPatch>): Promise<AdminTenant> {
  const before = await lockTenant(t, id);
  if (!before) throw notFound('tenant');
  invalidateOnCommit(t, svc.caches, 'auth', id);
  const after = await setTenantByOperator(t, id, { disabled: patch.disabled, rateLimit: patch.rate_limit });
  audit(t, svc, {
    tenantId: id, objectType: 'tenant', objectId: id, action: 'tenant.updated_by_operator', actor: op.actor, requestId: op.requestId,
    metadata: { old: { disabled: before.disabled, rate_limit: before.rate_limit }, new: { disabled: after.disabled, rate_limit: after.rate_limit } },
  });
  return adminTenantView(await tenantWithCounts(t, id));
}

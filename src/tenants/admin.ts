import type { z } from 'zod';
import { invalidateOnCommit } from './caches.ts';
import { audit } from '../audit/append.ts';
import type { Actor, Services } from '../services.ts';
import { notFound } from '../core/errors.ts';
import { listWhere, paginate, type Page } from '../db/paginate.ts';
import type { Queryable, Tx } from '../db/pool.ts';
import type { adminTenantObject, adminTenantPatch } from './schemas.ts';
import { tenantView, type DbTenant } from './tenants.ts';

type TenantRow = DbTenant & { payments: string; webhook_endpoints: string; dead_deliveries: string };
type AdminTenant = z.output<typeof adminTenantObject>;

function adminTenantView(t: TenantRow): AdminTenant {
  return {
    ...tenantView(t),
    rate_limit: t.rate_limit,
    counts: { payments: Number(t.payments), webhook_endpoints: Number(t.webhook_endpoints), dead_deliveries: Number(t.dead_deliveries) },
  };
}

// joins payments (owned by src/payments), webhook_endpoints (owned by src/webhooks) and
// webhook_deliveries (owned by src/webhooks): the operator's list counts each tenant's rows in its
// one paged statement; those folders sit above this one.
const WITH_COUNTS = `(SELECT t.*,
    (SELECT count(*) FROM payments p WHERE p.tenant_id = t.id) AS payments,
    (SELECT count(*) FROM webhook_endpoints w WHERE w.tenant_id = t.id AND w.deleted_at IS NULL) AS webhook_endpoints,
    (SELECT count(*) FROM webhook_deliveries d WHERE d.tenant_id = t.id AND d.status = 'dead') AS dead_deliveries
  FROM tenants t) AS tenants_with_counts`;

export function listTenants(
  db: Queryable,
  disabled: boolean | undefined,
  page: { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined },
  search?: string,
): Promise<Page<AdminTenant>> {
  const filter = listWhere({ disabled }, ['true']);
  if (search !== undefined) {
    filter.params.push(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, search);
    const n = filter.params.length;
    filter.where.push(`(name ILIKE $${n - 1}::text OR email ILIKE $${n - 1}::text OR id = $${n}::text)`);
  }
  return paginate<TenantRow, AdminTenant>(db, { table: WITH_COUNTS, ...filter, ...page }, adminTenantView);
}

/** The operator disables a tenant (its keys then get 403) or sets its own rate limit; audited in its chain. */
export async function updateTenantByOperator(t: Tx, svc: Pick<Services, 'audit' | 'caches'>, id: string, patch: z.output<typeof adminTenantPatch>, actor: Actor, requestId: string): Promise<AdminTenant> {
  const before = await t.maybeOne<DbTenant>('SELECT * FROM tenants WHERE id = $1::text FOR UPDATE', [id]);
  if (!before) throw notFound('tenant');
  invalidateOnCommit(t, svc.caches, 'auth', id);
  const after = await t.one<DbTenant>(
    `UPDATE tenants SET disabled = coalesce($2::boolean, disabled),
            rate_limit = CASE WHEN $3::boolean THEN $4::int ELSE rate_limit END, updated_at = now()
      WHERE id = $1::text RETURNING *`,
    [id, patch.disabled ?? null, patch.rate_limit !== undefined, patch.rate_limit ?? null],
  );
  audit(t, svc, {
    tenantId: id, objectType: 'tenant', objectId: id, action: 'tenant.updated_by_operator', actor, requestId,
    metadata: { old: { disabled: before.disabled, rate_limit: before.rate_limit }, new: { disabled: after.disabled, rate_limit: after.rate_limit } },
  });
  return adminTenantView(await t.one<TenantRow>(`SELECT * FROM ${WITH_COUNTS} WHERE id = $1::text`, [id]));
}

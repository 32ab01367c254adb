import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app.ts';
import { actorOf, requestId } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { listWhere, pageQuery, paginate } from '../../pagination.ts';
import { parseBody, parseQuery } from '../../validate.ts';
import { audit } from '../../../audit/append.ts';
import { isId } from '../../../ids.ts';
import { tenantView, type DbTenant } from '../../../tenants/tenants.ts';

const patchSchema = z.strictObject({
  disabled: z.boolean().optional(),
  rate_limit: z.number().int().min(1).max(10_000_000).nullable().optional(),
});

type TenantRow = DbTenant & { payments: string; webhook_endpoints: string; dead_deliveries: string };

function adminTenantView(t: TenantRow) {
  return {
    ...tenantView(t),
    rate_limit: t.rate_limit,
    counts: { payments: Number(t.payments), webhook_endpoints: Number(t.webhook_endpoints), dead_deliveries: Number(t.dead_deliveries) },
  };
}

const WITH_COUNTS = `(SELECT t.*,
    (SELECT count(*) FROM payments p WHERE p.tenant_id = t.id) AS payments,
    (SELECT count(*) FROM webhook_endpoints w WHERE w.tenant_id = t.id AND w.deleted_at IS NULL) AS webhook_endpoints,
    (SELECT count(*) FROM webhook_deliveries d WHERE d.tenant_id = t.id AND d.status = 'dead') AS dead_deliveries
  FROM tenants t) AS tenants_with_counts`;

export function adminTenantsRouter({ db }: AppDeps): Router {
  const router = Router();

  router.get('/tenants', async (req, res) => {
    const q = parseQuery(z.strictObject({ ...pageQuery, disabled: z.enum(['true', 'false']).optional() }), req.query);
    const filter = listWhere({ disabled: q.disabled === undefined ? undefined : q.disabled === 'true' }, ['true']);
    res.json(await paginate<TenantRow, ReturnType<typeof adminTenantView>>(db, { table: WITH_COUNTS, ...filter, limit: q.limit, startingAfter: q.starting_after }, adminTenantView));
  });

  router.patch('/tenants/:id', async (req, res) => {
    const id = req.params.id;
    if (!isId('tenant', id)) throw notFound('tenant');
    const patch = parseBody(patchSchema, req.body);
    const row = await db.tx(async (t) => {
      const before = await t.maybeOne<DbTenant>('SELECT * FROM tenants WHERE id = $1::text FOR UPDATE', [id]);
      if (!before) throw notFound('tenant');
      const after = await t.one<DbTenant>(
        `UPDATE tenants SET disabled = coalesce($2::boolean, disabled),
                rate_limit = CASE WHEN $3::boolean THEN $4::int ELSE rate_limit END, updated_at = now()
          WHERE id = $1::text RETURNING *`,
        [id, patch.disabled ?? null, patch.rate_limit !== undefined, patch.rate_limit ?? null],
      );
      audit(t, {
        tenantId: id, objectType: 'tenant', objectId: id, action: 'tenant.updated_by_operator', actor: actorOf(req), requestId: requestId(req),
        metadata: { old: { disabled: before.disabled, rate_limit: before.rate_limit }, new: { disabled: after.disabled, rate_limit: after.rate_limit } },
      });
      return t.one<TenantRow>(`SELECT * FROM ${WITH_COUNTS} WHERE id = $1::text`, [id]);
    });
    res.json(adminTenantView(row));
  });

  return router;
}

import type { Queryable, Tx } from '../db/pool.ts';
import { listWhere, paginate, type CursorArgs, type Page } from '../db/paginate.ts';
import type { DbFraudRule } from './rules.ts';
import type { NewRule, RulePatch } from './schemas.ts';

/** The SQL of the fraud_rules table, which this folder owns, and the velocity count over the tenant's payments (migration 0006). */

/** Enabled rules for a tenant plus the global ones, in the order they are decided. */
export function activeRuleRows(db: Queryable, tenantId: string): Promise<DbFraudRule[]> {
  return db.rows<DbFraudRule>(
    `SELECT * FROM fraud_rules
      WHERE (tenant_id = $1::text OR tenant_id IS NULL) AND enabled AND deleted_at IS NULL
      ORDER BY priority, created_at, id`,
    [tenantId],
  );
}

/**
 * How many of the tenant's payments fall in the window and scope (`per`: tenant, customer_email
 * or card, equal to `value`): one indexed range query (velocity_count, migration 0006). With
 * `lockKey`, first takes a transaction lock on it, in the same round trip.
 */
export function velocityCount(db: Queryable, lockKey: string | null, tenantId: string, windowSeconds: number, per: string, value: string): Promise<{ n: string }> {
  return db.one<{ n: string }>('SELECT velocity_count($1::text, $2::text, $3::int, $4::text, $5::text) AS n', [
    lockKey,
    tenantId,
    windowSeconds,
    per,
    value,
  ]);
}

export function insertRule(t: Tx, id: string, tenantId: string | null, input: NewRule): Promise<DbFraudRule> {
  return t.one<DbFraudRule>(
    `INSERT INTO fraud_rules (id, tenant_id, name, description, type, params, action, enabled, priority)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::jsonb, $7::text, $8::boolean, $9::int) RETURNING *`,
    [id, tenantId, input.name, input.description ?? null, input.type, JSON.stringify(input.params), input.action, input.enabled, input.priority],
  );
}

/** A rule not deleted, anyone's (locked when `lock`). */
export function ruleById(db: Queryable, id: string, lock: boolean): Promise<DbFraudRule | undefined> {
  return db.maybeOne<DbFraudRule>(
    `SELECT * FROM fraud_rules WHERE id = $1::text AND deleted_at IS NULL${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
}

/** Applies a patch to the (locked) rule, with its `params` in full (the patch's merged and checked). */
export function updateRuleRow(t: Tx, id: string, patch: RulePatch, params: Record<string, unknown>): Promise<DbFraudRule> {
  return t.one<DbFraudRule>(
    `UPDATE fraud_rules SET name = coalesce($2::text, name),
            description = CASE WHEN $3::boolean THEN $4::text ELSE description END,
            params = $5::jsonb, action = coalesce($6::text, action), enabled = coalesce($7::boolean, enabled),
            priority = coalesce($8::int, priority), updated_at = now()
      WHERE id = $1::text RETURNING *`,
    [id, patch.name ?? null, patch.description !== undefined, patch.description ?? null, JSON.stringify(params), patch.action ?? null, patch.enabled ?? null, patch.priority ?? null],
  );
}

export async function softDeleteRule(t: Tx, id: string): Promise<void> {
  await t.rows('UPDATE fraud_rules SET deleted_at = now(), enabled = false, updated_at = now() WHERE id = $1::text', [id]);
}

/** A page of the rules a tenant sees (its own and the global ones), newest first. */
export function listTenantRules<T>(db: Queryable, tenantId: string, page: CursorArgs, view: (r: DbFraudRule) => T): Promise<Page<T>> {
  return paginate(db, { table: 'fraud_rules', where: ['(tenant_id = $1::text OR tenant_id IS NULL)', 'deleted_at IS NULL'], params: [tenantId], ...page }, view);
}

/** A page of the global rules, or (operators) of one tenant's, newest first. */
export function listRulesOf<T>(db: Queryable, tenantId: string | undefined, page: CursorArgs, view: (r: DbFraudRule) => T): Promise<Page<T>> {
  return paginate(db, { table: 'fraud_rules', ...listWhere({ tenant_id: tenantId }, [...(tenantId ? [] : ['tenant_id IS NULL']), 'deleted_at IS NULL']), ...page }, view);
}

import type { Queryable, Tx } from '../db/pool.ts';
import { audit } from '../audit/append.ts';
import { invalidateOnCommit } from '../tenants/caches.ts';
import type { Actor, Services } from '../services.ts';

type RuleServices = Pick<Services, 'audit' | 'caches'>;
import { forbidden, notFound } from '../core/errors.ts';
import { validationError } from '../core/validation.ts';
import { newId } from '../ids.ts';
import { PARAMS, ruleView, type DbFraudRule } from './rules.ts';
import type { NewRule, RulePatch } from './schemas.ts';

/** Whose rules a caller manages: one tenant's, or (operators) the global ones. */
export type RuleScope = { tenantId: string } | { global: true };

const scopeTenant = (s: RuleScope) => ('tenantId' in s ? s.tenantId : null);

function auditRule(t: Tx, svc: RuleServices, tenantId: string | null, ruleId: string, action: string, actor: Actor, requestId: string | null, metadata: Record<string, unknown>) {
  // Every rule change passes here: this process's cached rules go at commit (others' by NOTIFY).
  invalidateOnCommit(t, svc.caches, 'fraud', tenantId ?? '');
  audit(t, svc, { tenantId, objectType: 'fraud_rule', objectId: ruleId, action, actor, requestId, metadata });
}

export async function createRule(t: Tx, svc: RuleServices, scope: RuleScope, input: NewRule, actor: Actor, requestId: string | null): Promise<DbFraudRule> {
  const rule = await t.one<DbFraudRule>(
    `INSERT INTO fraud_rules (id, tenant_id, name, description, type, params, action, enabled, priority)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::jsonb, $7::text, $8::boolean, $9::int) RETURNING *`,
    [newId('fraudRule'), scopeTenant(scope), input.name, input.description ?? null, input.type, JSON.stringify(input.params), input.action, input.enabled, input.priority],
  );
  auditRule(t, svc, rule.tenant_id, rule.id, 'fraud_rule.created', actor, requestId, { new: ruleView(rule) });
  return rule;
}

/**
 * A rule the caller may read: a tenant sees its own and the global ones; another tenant's rule
 * is not found. `forWrite` additionally refuses global rules to tenants (read-only for them).
 */
export async function getRule(db: Queryable, scope: RuleScope, id: string, opts: { forWrite?: boolean; lock?: boolean } = {}): Promise<DbFraudRule> {
  const rule = await db.maybeOne<DbFraudRule>(
    `SELECT * FROM fraud_rules WHERE id = $1::text AND deleted_at IS NULL${opts.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  const tenantId = scopeTenant(scope);
  if (!rule) throw notFound('fraud rule');
  if (tenantId === null) {
    if (rule.tenant_id !== null) throw notFound('fraud rule'); // operators manage global rules here
    return rule;
  }
  if (rule.tenant_id !== null && rule.tenant_id !== tenantId) throw notFound('fraud rule');
  if (rule.tenant_id === null && opts.forWrite) throw forbidden('global_rule_read_only', 'Global rules are managed by the operator; you can read them but not change them');
  return rule;
}

export async function updateRule(t: Tx, svc: RuleServices, scope: RuleScope, id: string, patch: RulePatch, actor: Actor, requestId: string | null): Promise<DbFraudRule> {
  const before = await getRule(t, scope, id, { forWrite: true, lock: true });
  let params = before.params;
  if (patch.params !== undefined) {
    const parsed = PARAMS[before.type].safeParse(patch.params);
    if (!parsed.success) throw validationError(parsed.error, patch.params, 'params');
    params = parsed.data as Record<string, unknown>;
  }
  const after = await t.one<DbFraudRule>(
    `UPDATE fraud_rules SET name = coalesce($2::text, name),
            description = CASE WHEN $3::boolean THEN $4::text ELSE description END,
            params = $5::jsonb, action = coalesce($6::text, action), enabled = coalesce($7::boolean, enabled),
            priority = coalesce($8::int, priority), updated_at = now()
      WHERE id = $1::text RETURNING *`,
    [id, patch.name ?? null, patch.description !== undefined, patch.description ?? null, JSON.stringify(params), patch.action ?? null, patch.enabled ?? null, patch.priority ?? null],
  );
  auditRule(t, svc, after.tenant_id, id, 'fraud_rule.updated', actor, requestId, { old: ruleView(before), new: ruleView(after) });
  return after;
}

export async function deleteRule(t: Tx, svc: RuleServices, scope: RuleScope, id: string, actor: Actor, requestId: string | null): Promise<void> {
  const before = await getRule(t, scope, id, { forWrite: true, lock: true });
  await t.rows('UPDATE fraud_rules SET deleted_at = now(), enabled = false, updated_at = now() WHERE id = $1::text', [id]);
  auditRule(t, svc, before.tenant_id, id, 'fraud_rule.deleted', actor, requestId, { old: ruleView(before) });
}

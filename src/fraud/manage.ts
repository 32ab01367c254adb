import type { Queryable, Tx } from '../db/pool.ts';
import { audit } from '../audit/append.ts';
import { invalidateOnCommit } from '../tenants/caches.ts';
import type { Actor } from '../core/context.ts';
import type { TenantServices } from '../tenants/services.ts';
import { forbidden, notFound } from '../core/errors.ts';
import { validationError } from '../core/validation.ts';
import { newId } from '../ids.ts';
import { PARAMS, ruleView, type DbFraudRule } from './rules.ts';
import type { NewRule, RulePatch } from './schemas.ts';
import { insertRule, ruleById, softDeleteRule, updateRuleRow } from './store.ts';

/**
 * Managing fraud rules: a tenant's own and (operators) the global ones, each change audited and
 * the cached rules dropped at commit.
 */

type RuleServices = Pick<TenantServices, 'audit' | 'caches'>;

/** Whose rules a caller manages: one tenant's, or (operators) the global ones. */
export type RuleScope = { tenantId: string } | { global: true };

const scopeTenant = (s: RuleScope) => ('tenantId' in s ? s.tenantId : null);

function auditRule(t: Tx, svc: RuleServices, tenantId: string | null, ruleId: string, action: string, actor: Actor, requestId: string | null, metadata: Record<string, unknown>) {
  // Every rule change passes here: this process's cached rules go at commit (others' by NOTIFY).
  invalidateOnCommit(t, svc.caches, 'fraud', tenantId ?? '');
  audit(t, svc, { tenantId, objectType: 'fraud_rule', objectId: ruleId, action, actor, requestId, metadata });
}

export async function createRule(t: Tx, svc: RuleServices, scope: RuleScope, input: NewRule, actor: Actor, requestId: string | null): Promise<DbFraudRule> {
  const rule = await insertRule(t, newId('fraudRule'), scopeTenant(scope), input);
  auditRule(t, svc, rule.tenant_id, rule.id, 'fraud_rule.created', actor, requestId, { new: ruleView(rule) });
  return rule;
}

/**
 * A rule the caller may read: a tenant sees its own and the global ones; another tenant's rule
 * is not found. `forWrite` additionally refuses global rules to tenants (read-only for them).
 */
export async function getRule(db: Queryable, scope: RuleScope, id: string, opts: { forWrite?: boolean; lock?: boolean } = {}): Promise<DbFraudRule> {
  const rule = await ruleById(db, id, opts.lock ?? false);
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
  const after = await updateRuleRow(t, id, patch, params);
  auditRule(t, svc, after.tenant_id, id, 'fraud_rule.updated', actor, requestId, { old: ruleView(before), new: ruleView(after) });
  return after;
}

export async function deleteRule(t: Tx, svc: RuleServices, scope: RuleScope, id: string, actor: Actor, requestId: string | null): Promise<void> {
  const before = await getRule(t, scope, id, { forWrite: true, lock: true });
  await softDeleteRule(t, id);
  auditRule(t, svc, before.tenant_id, id, 'fraud_rule.deleted', actor, requestId, { old: ruleView(before) });
}

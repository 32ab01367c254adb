import { listOf, pageQuery } from '../../../core/schemas.ts';
import { dryRun } from '../../../fraud/dry-run.ts';
import { ruleView } from '../../../fraud/rules.ts';
import { adminRulesQuery, createRuleSchema, dryRunSchema, evaluationObject, patchRuleSchema, ruleObject } from '../../../fraud/schemas.ts';
import { createRule, deleteRule, getRule, updateRule } from '../../../fraud/manage.ts';
import { listRulesOf, listTenantRules } from '../../../fraud/store.ts';
import { z } from 'zod';
import { byId, pageArgs, route } from '../../../routing/route.ts';
import { deletedObject } from './webhooks.ts';

const tag = 'Fraud rules';
const params = byId('fraudRule', 'fraud rule');
const GLOBAL = { global: true } as const;
type Rule = z.output<typeof ruleObject>;

/** A tenant's own rules (read-write) and the global ones (read-only); operators manage the global ones. */
export const fraudRoutes = [
  route({
    method: 'get', path: '/api/v1/fraud-rules', auth: 'secret', permission: { resource: 'fraud_rules', level: 'read' }, tag, summary: 'List your rules and the global ones', query: z.strictObject(pageQuery), response: listOf(ruleObject),
    handler: ({ db, ctx, query: q }) => listTenantRules<Rule>(db, ctx.tenant.id, pageArgs(q), ruleView),
  }),
  route({
    method: 'post', path: '/api/v1/fraud-rules', auth: 'secret', permission: { resource: 'fraud_rules', level: 'write' }, tag, write: true, status: 201, summary: 'Create a rule', body: createRuleSchema, response: ruleObject, example: { name: 'High amount', type: 'amount_limit', params: { max_amount: 100000 }, action: 'flag', enabled: false },
    handler: async ({ t, svc, ctx, body }) => ruleView(await createRule(t, svc, { tenantId: ctx.tenant.id }, body, ctx.actor, ctx.requestId)),
  }),
  route({
    method: 'post', path: '/api/v1/fraud-rules/test', auth: 'secret', permission: { resource: 'fraud_rules', level: 'read' }, tag, summary: 'Which rules would fire for a payment (dry run)', idempotency: 'none',
    body: dryRunSchema, response: evaluationObject, example: { amount: 5000, currency: 'INR', card: { number: '4242424242424242' } },
    handler: ({ db, svc, ctx, body }) => dryRun(db, svc.caches, ctx.tenant.id, body),
  }),
  route({
    method: 'get', path: '/api/v1/fraud-rules/:id', auth: 'secret', permission: { resource: 'fraud_rules', level: 'read' }, tag, summary: 'Retrieve a rule', params, response: ruleObject,
    handler: async ({ db, ctx, params: p }) => ruleView(await getRule(db, { tenantId: ctx.tenant.id }, p.id)),
  }),
  route({
    method: 'patch', path: '/api/v1/fraud-rules/:id', auth: 'secret', permission: { resource: 'fraud_rules', level: 'write' }, tag, write: true, summary: 'Update or toggle a rule', params, body: patchRuleSchema, response: ruleObject, example: { enabled: false },
    handler: async ({ t, svc, ctx, params: p, body }) => ruleView(await updateRule(t, svc, { tenantId: ctx.tenant.id }, p.id, body, ctx.actor, ctx.requestId)),
  }),
  route({
    method: 'delete', path: '/api/v1/fraud-rules/:id', auth: 'secret', permission: { resource: 'fraud_rules', level: 'write' }, tag, write: true, summary: 'Delete a rule', params, response: deletedObject('fraud_rule'),
    handler: async ({ t, svc, ctx, params: p }) => {
      await deleteRule(t, svc, { tenantId: ctx.tenant.id }, p.id, ctx.actor, ctx.requestId);
      return { id: p.id, object: 'fraud_rule' as const, deleted: true as const };
    },
  }),
  route({
    method: 'get', path: '/api/v1/admin/fraud-rules', auth: 'admin', tag: 'Operators', summary: 'Global rules, or a tenant\'s with ?tenant_id=',
    query: adminRulesQuery, response: listOf(ruleObject),
    handler: ({ db, query: q }) => listRulesOf<Rule>(db, q.tenant_id, pageArgs(q), ruleView),
  }),
  route({
    method: 'post', path: '/api/v1/admin/fraud-rules', auth: 'admin', tag: 'Operators', write: true, status: 201, summary: 'Create a global rule', body: createRuleSchema, response: ruleObject, example: { name: 'High amount', type: 'amount_limit', params: { max_amount: 100000 }, action: 'flag', enabled: false },
    handler: async ({ t, svc, actor, requestId, body }) => ruleView(await createRule(t, svc, GLOBAL, body, actor, requestId)),
  }),
  route({
    method: 'patch', path: '/api/v1/admin/fraud-rules/:id', auth: 'admin', tag: 'Operators', write: true, summary: 'Update or toggle a global rule', params, body: patchRuleSchema, response: ruleObject, example: { enabled: false },
    handler: async ({ t, svc, actor, requestId, params: p, body }) => ruleView(await updateRule(t, svc, GLOBAL, p.id, body, actor, requestId)),
  }),
];

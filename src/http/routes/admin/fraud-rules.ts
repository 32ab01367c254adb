import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app.ts';
import { actorOf, requestId } from '../../context.ts';
import { listWhere, pageQuery, paginate } from '../../pagination.ts';
import { parseBody, parseQuery } from '../../validate.ts';
import { createRuleSchema, patchRuleSchema, ruleView, type DbFraudRule } from '../../../fraud/rules.ts';
import { createRule, updateRule } from '../../../fraud/store.ts';
import { ruleId } from '../fraud-rules.ts';

const GLOBAL = { global: true } as const;

/** Global rules, which apply to every tenant; every change is audited in the 'global' chain. */
export function adminFraudRulesRouter({ db }: AppDeps): Router {
  const router = Router();

  router.get('/fraud-rules', async (req, res) => {
    const q = parseQuery(z.strictObject({ ...pageQuery, tenant_id: z.string().min(1).max(100).optional() }), req.query);
    const filter = listWhere({ tenant_id: q.tenant_id }, [...(q.tenant_id ? [] : ['tenant_id IS NULL']), 'deleted_at IS NULL']);
    res.json(await paginate<DbFraudRule, ReturnType<typeof ruleView>>(db, { table: 'fraud_rules', ...filter, limit: q.limit, startingAfter: q.starting_after }, ruleView));
  });

  router.post('/fraud-rules', async (req, res) => {
    const input = parseBody(createRuleSchema, req.body);
    const rule = await db.tx((t) => createRule(t, GLOBAL, input, actorOf(req), requestId(req)));
    res.status(201).json(ruleView(rule));
  });

  router.patch('/fraud-rules/:id', async (req, res) => {
    const patch = parseBody(patchRuleSchema, req.body);
    const rule = await db.tx((t) => updateRule(t, GLOBAL, ruleId(String(req.params.id)), patch, actorOf(req), requestId(req)));
    res.json(ruleView(rule));
  });

  return router;
}

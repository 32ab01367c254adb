import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { actorOf, requestId, tenantOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { ctxOf, mutation } from '../mutation.ts';
import { pageQuery, paginate } from '../pagination.ts';
import { amountSchema, currencySchema, parseBody, parseQuery } from '../validate.ts';
import { evaluateRules } from '../../fraud/evaluate.ts';
import { createRuleSchema, patchRuleSchema, ruleView, type DbFraudRule } from '../../fraud/rules.ts';
import { createRule, deleteRule, getRule, updateRule } from '../../fraud/store.ts';
import { isId } from '../../ids.ts';
import { cardFingerprint, luhnValid } from '../../payments/instruments.ts';

const dryRunSchema = z.strictObject({
  amount: amountSchema,
  currency: currencySchema,
  method: z.enum(['card', 'upi', 'netbanking', 'wallet']).default('card'),
  card: z.strictObject({ number: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits').refine(luhnValid, 'fails the Luhn check') }).optional(),
  customer_email: z.email().max(254).transform((e) => e.toLowerCase()).optional(),
  billing: z.strictObject({ country: z.string().regex(/^[A-Z]{2}$/) }).optional(),
});

export function ruleId(id: string): string {
  if (!isId('fraudRule', id)) throw notFound('fraud rule');
  return id;
}

/** A tenant's own rules (read-write) and the global ones (read-only). */
export function fraudRulesRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/fraud-rules', async (req, res) => {
    const q = parseQuery(z.strictObject(pageQuery), req.query);
    res.json(
      await paginate<DbFraudRule, ReturnType<typeof ruleView>>(
        db,
        { table: 'fraud_rules', where: ['(tenant_id = $1::text OR tenant_id IS NULL)', 'deleted_at IS NULL'], params: [tenantOf(req).id], limit: q.limit, startingAfter: q.starting_after },
        ruleView,
      ),
    );
  });

  router.post(
    '/fraud-rules',
    mutation(deps, createRuleSchema, async (t, input, ctx) => ({
      status: 201,
      body: ruleView(await createRule(t, { tenantId: ctx.tenant.id }, input, ctx.actor, ctx.requestId)),
    })),
  );

  // Which rules would fire for a payment, without creating it.
  router.post('/fraud-rules/test', async (req, res) => {
    const input = parseBody(dryRunSchema, req.body);
    const tenant = tenantOf(req);
    const number = input.card?.number;
    const hits = await evaluateRules(
      db,
      {
        tenantId: tenant.id,
        amount: input.amount,
        currency: input.currency,
        method: input.method,
        customerEmail: input.customer_email ?? null,
        billingCountry: input.billing?.country ?? null,
        cardFingerprint: number ? cardFingerprint(tenant.id, number) : null,
        cardBin: number ? number.slice(0, 6) : null,
      },
      { lock: false },
    );
    const first = hits[0];
    res.json({
      object: 'fraud_evaluation',
      decision: first ? first.rule.action : 'allow',
      would_fire: hits.map((h) => ({ rule_id: h.rule.id, name: h.rule.name, scope: h.rule.tenant_id ? 'tenant' : 'global', action: h.rule.action, reason: h.reason })),
    });
  });

  router.get('/fraud-rules/:id', async (req, res) => {
    res.json(ruleView(await getRule(db, { tenantId: tenantOf(req).id }, ruleId(req.params.id))));
  });

  router.patch('/fraud-rules/:id', async (req, res) => {
    const patch = parseBody(patchRuleSchema, req.body);
    const ctx = ctxOf(req, deps);
    const rule = await db.tx((t) => updateRule(t, { tenantId: ctx.tenant.id }, ruleId(String(req.params.id)), patch, ctx.actor, ctx.requestId));
    res.json(ruleView(rule));
  });

  router.delete('/fraud-rules/:id', async (req, res) => {
    const id = ruleId(req.params.id);
    await db.tx((t) => deleteRule(t, { tenantId: tenantOf(req).id }, id, actorOf(req), requestId(req)));
    res.json({ id, object: 'fraud_rule', deleted: true });
  });

  return router;
}

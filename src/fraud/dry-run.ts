import type { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { cardFingerprint } from '../payments/instruments.ts';
import type { TenantCaches } from '../tenants/caches.ts';
import { evaluateRules } from './evaluate.ts';
import type { dryRunSchema, evaluationObject } from './schemas.ts';

/** Which rules would fire for a payment, and the decision, without creating it or taking locks. */
export async function dryRun(db: Queryable, caches: TenantCaches | undefined, tenantId: string, input: z.output<typeof dryRunSchema>): Promise<z.output<typeof evaluationObject>> {
  const number = input.card?.number;
  const hits = await evaluateRules(
    db,
    {
      tenantId,
      amount: input.amount,
      currency: input.currency,
      method: input.method,
      customerEmail: input.customer_email ?? null,
      billingCountry: input.billing?.country ?? null,
      cardFingerprint: number ? cardFingerprint(tenantId, number) : null,
      cardBin: number ? number.slice(0, 6) : null,
    },
    { lock: false, caches },
  );
  return {
    object: 'fraud_evaluation',
    decision: hits[0]?.rule.action ?? 'allow',
    would_fire: hits.map((h) => ({ rule_id: h.rule.id, name: h.rule.name, scope: h.rule.tenant_id ? 'tenant' : 'global', action: h.rule.action, reason: h.reason })),
  };
}

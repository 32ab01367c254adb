import { z } from 'zod';
import { amountSchema, currencySchema, isoTime, pageQuery } from '../core/schemas.ts';
import { luhnValid } from '../core/secret-text.ts';
import { METHODS } from '../payments/schemas.ts';
import { PARAMS, RULE_TYPES, type RuleType } from './rules.ts';

export const ruleObject = z
  .strictObject({
    id: z.string(),
    object: z.literal('fraud_rule'),
    scope: z.enum(['global', 'tenant']),
    name: z.string(),
    description: z.string().nullable(),
    type: z.enum(RULE_TYPES as [string, ...string[]]),
    params: z.record(z.string(), z.unknown()),
    action: z.enum(['flag', 'block']),
    enabled: z.boolean(),
    priority: z.number().int(),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'FraudRule' });

export const dryRunSchema = z.strictObject({
  amount: amountSchema,
  currency: currencySchema,
  method: z.enum(METHODS).default('card'),
  card: z.strictObject({ number: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits').refine(luhnValid, 'fails the Luhn check') }).optional(),
  customer_email: z.email().max(254).transform((e) => e.toLowerCase()).optional(),
  billing: z.strictObject({ country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as IN') }).optional(),
});

export const evaluationObject = z.strictObject({
  object: z.literal('fraud_evaluation'),
  decision: z.enum(['allow', 'flag', 'block']),
  would_fire: z.array(
    z.strictObject({ rule_id: z.string(), name: z.string(), scope: z.enum(['global', 'tenant']), action: z.enum(['flag', 'block']), reason: z.string() }),
  ),
});

export const adminRulesQuery = z.strictObject({ ...pageQuery, tenant_id: z.string().min(1).max(100).optional() });

/** The create body: params are checked against the schema of the given type. */
export const createRuleSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(1000).optional(),
    type: z.enum(RULE_TYPES as [RuleType, ...RuleType[]]),
    params: z.record(z.string(), z.unknown()),
    action: z.enum(['flag', 'block']),
    enabled: z.boolean().default(true),
    priority: z.number().int().min(0).max(1_000_000).default(100),
  })
  .transform((v, ctx) => {
    const parsed = PARAMS[v.type].safeParse(v.params);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['params', ...issue.path] } as never);
      return z.NEVER;
    }
    return { ...v, params: parsed.data as Record<string, unknown> };
  });

export const patchRuleSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(1000).nullable().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  action: z.enum(['flag', 'block']).optional(),
  enabled: z.boolean().optional(),
  priority: z.number().int().min(0).max(1_000_000).optional(),
});

export type NewRule = z.output<typeof createRuleSchema>;
export type RulePatch = z.output<typeof patchRuleSchema>;

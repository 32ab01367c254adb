import { z } from 'zod';
import { amountSchema, currencySchema } from '../core/schemas.ts';

/** Each rule type's params: public API, documented in the README. */
export const PARAMS = {
  velocity: z.strictObject({
    max_count: z.number().int().min(1).max(1_000_000),
    window_seconds: z.number().int().min(1).max(30 * 24 * 3600),
    per: z.enum(['tenant', 'customer_email', 'card']),
  }),
  amount_limit: z.strictObject({ max_amount: amountSchema, currency: currencySchema.optional() }),
  currency_block: z.strictObject({ currencies: z.array(currencySchema).min(1).max(300) }),
  country_block: z.strictObject({ countries: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be ISO 3166-1 alpha-2 codes such as IN')).min(1).max(300) }),
  email_domain_block: z.strictObject({
    domains: z
      .array(z.string().toLowerCase().regex(/^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*\.)+[a-z]{2,}$/, 'must be domain names such as example.com'))
      .min(1)
      .max(1000),
  }),
  card_bin_block: z.strictObject({ bins: z.array(z.string().regex(/^\d{6}$/, 'must be 6-digit BINs')).min(1).max(1000) }),
} as const;

export type RuleType = keyof typeof PARAMS;
export const RULE_TYPES = Object.keys(PARAMS) as RuleType[];
export type RuleParams<T extends RuleType> = z.output<(typeof PARAMS)[T]>;

export interface DbFraudRule {
  id: string;
  tenant_id: string | null;
  name: string;
  description: string | null;
  type: RuleType;
  params: Record<string, unknown>;
  action: 'flag' | 'block';
  enabled: boolean;
  priority: number;
  created_at: Date;
  updated_at: Date;
}

export function ruleView(r: DbFraudRule) {
  return {
    id: r.id,
    object: 'fraud_rule' as const,
    scope: r.tenant_id === null ? ('global' as const) : ('tenant' as const),
    name: r.name,
    description: r.description,
    type: r.type,
    params: r.params,
    action: r.action,
    enabled: r.enabled,
    priority: r.priority,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

/** What a rule can see of a payment. */
export interface RuleInput {
  amount: number;
  currency: string;
  customerEmail: string | null;
  billingCountry: string | null;
  cardBin: string | null;
}

/**
 * Rules decided by the payment alone (every type but velocity). Returns why the rule fires,
 * or null. Boundaries: amount_limit fires strictly above max_amount; email domains match the
 * domain and its subdomains.
 */
export function staticRuleFires(rule: Pick<DbFraudRule, 'type' | 'params'>, p: RuleInput): string | null {
  switch (rule.type) {
    case 'amount_limit': {
      const { max_amount, currency } = rule.params as RuleParams<'amount_limit'>;
      if (currency && currency !== p.currency) return null;
      return p.amount > max_amount ? `amount ${p.amount} ${p.currency} is above the limit of ${max_amount}` : null;
    }
    case 'currency_block': {
      const { currencies } = rule.params as RuleParams<'currency_block'>;
      return currencies.includes(p.currency) ? `currency ${p.currency} is blocked` : null;
    }
    case 'country_block': {
      const { countries } = rule.params as RuleParams<'country_block'>;
      return p.billingCountry && countries.includes(p.billingCountry) ? `billing country ${p.billingCountry} is blocked` : null;
    }
    case 'email_domain_block': {
      const { domains } = rule.params as RuleParams<'email_domain_block'>;
      const domain = p.customerEmail?.split('@')[1]?.toLowerCase();
      if (!domain) return null;
      const hit = domains.find((d) => domain === d || domain.endsWith(`.${d}`));
      return hit ? `email domain ${domain} is blocked` : null;
    }
    case 'card_bin_block': {
      const { bins } = rule.params as RuleParams<'card_bin_block'>;
      return p.cardBin && bins.includes(p.cardBin) ? `card BIN ${p.cardBin} is blocked` : null;
    }
    case 'velocity':
      return null;
  }
}

/** The velocity verdict once the recent count is known: the payments past max_count fire. */
export function velocityFires(params: RuleParams<'velocity'>, recentCount: number): string | null {
  const total = recentCount + 1;
  return total > params.max_count ? `${total} payments per ${params.per} within ${params.window_seconds} s (limit ${params.max_count})` : null;
}

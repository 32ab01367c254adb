import { describe, expect, it } from 'vitest';
import { staticRuleFires, velocityFires, type RuleType } from '../../src/fraud/rules.ts';
import { createRuleSchema } from '../../src/fraud/schemas.ts';

const p = { amount: 1000, currency: 'INR', customerEmail: 'buyer@shop.example.com', billingCountry: 'IN', cardBin: '424242' };
const rule = (type: RuleType, params: Record<string, unknown>) => ({ type, params });

describe('fraud rule boundaries', () => {
  it('amount_limit fires strictly above max_amount, only in its currency when given', () => {
    expect(staticRuleFires(rule('amount_limit', { max_amount: 1000 }), p)).toBeNull();
    expect(staticRuleFires(rule('amount_limit', { max_amount: 999 }), p)).toMatch(/above the limit/);
    expect(staticRuleFires(rule('amount_limit', { max_amount: 999, currency: 'USD' }), p)).toBeNull();
    expect(staticRuleFires(rule('amount_limit', { max_amount: 999, currency: 'INR' }), p)).not.toBeNull();
  });

  it('block lists match exactly (emails also by subdomain)', () => {
    expect(staticRuleFires(rule('currency_block', { currencies: ['INR'] }), p)).toMatch(/INR/);
    expect(staticRuleFires(rule('currency_block', { currencies: ['USD'] }), p)).toBeNull();
    expect(staticRuleFires(rule('country_block', { countries: ['IN'] }), p)).toMatch(/IN/);
    expect(staticRuleFires(rule('country_block', { countries: ['IN'] }), { ...p, billingCountry: null })).toBeNull();
    expect(staticRuleFires(rule('email_domain_block', { domains: ['example.com'] }), p)).toMatch(/shop\.example\.com/);
    expect(staticRuleFires(rule('email_domain_block', { domains: ['ample.com'] }), p)).toBeNull();
    expect(staticRuleFires(rule('email_domain_block', { domains: ['example.com'] }), { ...p, customerEmail: null })).toBeNull();
    expect(staticRuleFires(rule('card_bin_block', { bins: ['424242'] }), p)).toMatch(/424242/);
    expect(staticRuleFires(rule('card_bin_block', { bins: ['424242'] }), { ...p, cardBin: null })).toBeNull();
  });

  it('velocity fires for the payments past max_count', () => {
    const params = { max_count: 10, window_seconds: 60, per: 'tenant' as const };
    expect(velocityFires(params, 9)).toBeNull(); // this is the 10th
    expect(velocityFires(params, 10)).toMatch(/11 payments/);
  });

  it('validates params per type, pointing at the bad field', () => {
    const base = { name: 'r', action: 'flag' };
    expect(createRuleSchema.safeParse({ ...base, type: 'velocity', params: { max_count: 5, window_seconds: 60, per: 'card' } }).success).toBe(true);
    const bad = createRuleSchema.safeParse({ ...base, type: 'velocity', params: { max_count: 0, window_seconds: 60, per: 'ip' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['params.max_count', 'params.per']);
    expect(createRuleSchema.safeParse({ ...base, type: 'card_bin_block', params: { bins: ['4242'] } }).success).toBe(false);
    expect(createRuleSchema.safeParse({ ...base, type: 'currency_block', params: { currencies: ['ABC'] } }).success).toBe(false);
    expect(createRuleSchema.safeParse({ ...base, type: 'amount_limit', params: { max_amount: 5, extra: 1 } }).success).toBe(false);
  });
});

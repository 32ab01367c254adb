import type { Queryable, Tx } from '../db/pool.ts';
import type { FraudCheck, FraudHit, PaymentDraft } from '../payments/types.ts';
import { readThrough, type TenantCaches } from '../tenants/caches.ts';
import { staticRuleFires, velocityFires, type DbFraudRule, type RuleParams } from './rules.ts';
import { activeRuleRows, velocityCount } from './store.ts';

export interface RuleHit {
  rule: DbFraudRule;
  reason: string;
}

/**
 * Enabled rules for a tenant plus the global ones, in the order they are decided, through the
 * process's fraud-rule cache, when it has one: dropped
 * on commit in the process that changed a rule and through NOTIFY (migration 0016) in every
 * other, within milliseconds; a global rule's change drops every tenant's entry. Entries are
 * shared: never mutated.
 */
async function activeRules(db: Queryable, caches: TenantCaches | undefined, tenantId: string): Promise<readonly DbFraudRule[]> {
  return (await readThrough(caches, 'fraud', tenantId, async () => ({ tenantId, value: await activeRuleRows(db, tenantId) })))!;
}

const SCOPE_VALUE = {
  tenant: () => 'all',
  customer_email: (d: PaymentDraft) => d.customerEmail,
  card: (d: PaymentDraft) => d.cardFingerprint,
} as const;

/**
 * Counts the tenant's payments in the rule's window and scope: one indexed range query. With
 * `lock`, first takes a transaction lock on (rule, scope value) so concurrent creates count
 * one after another, each seeing the payments committed before it: exact under concurrency.
 * Both happen in one round trip (velocity_count, migration 0006).
 */
async function recentCount(db: Queryable, rule: DbFraudRule, d: PaymentDraft, lock: boolean): Promise<number | null> {
  const params = rule.params as RuleParams<'velocity'>;
  const value = SCOPE_VALUE[params.per](d);
  if (value === null) return null; // no email / not a card: the rule does not apply
  const row = await velocityCount(db, lock ? `sandpay:velocity:${rule.id}:${d.tenantId}:${value}` : null, d.tenantId, params.window_seconds, params.per, value);
  return Number(row.n);
}

/** Every rule that fires for the draft, in decision order. */
export async function evaluateRules(db: Queryable, draft: PaymentDraft, opts: { lock: boolean; caches?: TenantCaches | undefined }): Promise<RuleHit[]> {
  const hits: RuleHit[] = [];
  for (const rule of await activeRules(db, opts.caches, draft.tenantId)) {
    let reason: string | null;
    if (rule.type === 'velocity') {
      const count = await recentCount(db, rule, draft, opts.lock);
      reason = count === null ? null : velocityFires(rule.params as RuleParams<'velocity'>, count);
    } else {
      reason = staticRuleFires(rule, draft);
    }
    if (reason) hits.push({ rule, reason: `${rule.name}: ${reason}` });
  }
  return hits;
}

/**
 * The check run inside payment creation. All rules are evaluated (so every velocity lock is
 * taken, keeping counts exact), and the first hit in priority order decides.
 */
export const checkFraud: FraudCheck = async (t: Tx, svc, _ctx, draft): Promise<FraudHit | null> => {
  const [first] = await evaluateRules(t, draft, { lock: true, caches: svc.caches });
  return first ? { action: first.rule.action, ruleId: first.rule.id, reason: first.reason } : null;
};

-- Up Migration

-- The per-process cache of each tenant's enabled fraud rules (src/fraud/evaluate.ts) is dropped
-- through the same NOTIFY as the key cache (migration 0015) whenever a rule changes, whoever
-- changes it. A global rule (tenant_id NULL) sends 'fraud:', which drops every tenant's entry.
CREATE TRIGGER fraud_rules_invalidate AFTER INSERT OR UPDATE OR DELETE ON fraud_rules
  FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('fraud', 'tenant_id');

-- Down Migration
DROP TRIGGER fraud_rules_invalidate ON fraud_rules;

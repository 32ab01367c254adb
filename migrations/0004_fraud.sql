-- Up Migration

-- Rules are data: changing one takes effect on the next payment, with no redeploy.
-- tenant_id NULL = a global rule (operators), visible read-only to every tenant.
CREATE TABLE fraud_rules (
  id           text PRIMARY KEY,
  tenant_id    text REFERENCES tenants (id),
  name         text NOT NULL,
  description  text,
  type         text NOT NULL CHECK (type IN ('velocity', 'amount_limit', 'currency_block', 'country_block',
                                             'email_domain_block', 'card_bin_block')),
  params       jsonb NOT NULL,
  action       text NOT NULL CHECK (action IN ('flag', 'block')),
  enabled      boolean NOT NULL DEFAULT true,
  priority     integer NOT NULL DEFAULT 100,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz
);
-- The per-payment lookup: enabled rules of one tenant plus the global ones.
CREATE INDEX fraud_rules_active_idx ON fraud_rules (tenant_id, priority, created_at) WHERE enabled AND deleted_at IS NULL;
CREATE INDEX fraud_rules_list_idx ON fraud_rules (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;

-- Defaults: disabled, so nothing changes until an operator turns one on.
INSERT INTO fraud_rules (id, tenant_id, name, description, type, params, action, enabled, priority) VALUES
  ('fr_seedCardVelocity0001', NULL, 'Card velocity',
   'More than 10 payments with the same card within a minute', 'velocity',
   '{"max_count": 10, "window_seconds": 60, "per": "card"}', 'flag', false, 100),
  ('fr_seedHighAmount000001', NULL, 'High amount',
   'A single payment above 10,00,000.00 in any currency (100000000 minor units)', 'amount_limit',
   '{"max_amount": 100000000}', 'flag', false, 110),
  ('fr_seedCountryBlock0001', NULL, 'Blocked billing countries',
   'Billing country on an example block list', 'country_block',
   '{"countries": ["KP"]}', 'block', false, 120);

-- Operator metrics count recent payments across tenants.
CREATE INDEX payments_created_idx ON payments (created_at);

-- Down Migration
DROP INDEX payments_created_idx;
DROP TABLE fraud_rules;

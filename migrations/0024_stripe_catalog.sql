-- Up Migration

-- Stripe's catalog as its API takes it: the product fields Stripe's objects show, and a price's
-- amount as a decimal of the smallest unit (`unit_amount_decimal`, e.g. 0.5 cent), of which
-- `unit_amount` is the whole number when there is one.

ALTER TABLE stripe_products
  ADD COLUMN type text NOT NULL DEFAULT 'service' CHECK (type IN ('good', 'service')),
  ADD COLUMN shippable boolean,
  ADD COLUMN statement_descriptor text,
  ADD COLUMN unit_label text,
  ADD COLUMN tax_code text,
  ADD COLUMN marketing_features jsonb NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN package_dimensions jsonb;

ALTER TABLE stripe_prices
  ADD COLUMN unit_amount_decimal numeric CHECK (unit_amount_decimal >= 0),
  ADD COLUMN tax_behavior text NOT NULL DEFAULT 'unspecified' CHECK (tax_behavior IN ('inclusive', 'exclusive', 'unspecified')),
  -- A price belongs to one of its tenant's products, which cannot be deleted while it has prices (as on Stripe).
  ADD CONSTRAINT stripe_prices_product_fkey FOREIGN KEY (tenant_id, product) REFERENCES stripe_products (tenant_id, id);

CREATE INDEX stripe_prices_product_idx ON stripe_prices (tenant_id, product, created_at DESC, id DESC);
-- A lookup key names one price of a tenant (moved with transfer_lookup_key).
CREATE UNIQUE INDEX stripe_prices_lookup_key_idx ON stripe_prices (tenant_id, lookup_key) WHERE lookup_key IS NOT NULL;

-- Down Migration
DROP INDEX stripe_prices_lookup_key_idx;
DROP INDEX stripe_prices_product_idx;
ALTER TABLE stripe_prices DROP CONSTRAINT stripe_prices_product_fkey, DROP COLUMN tax_behavior, DROP COLUMN unit_amount_decimal;
ALTER TABLE stripe_products DROP COLUMN package_dimensions, DROP COLUMN marketing_features, DROP COLUMN tax_code, DROP COLUMN unit_label,
  DROP COLUMN statement_descriptor, DROP COLUMN shippable, DROP COLUMN type;

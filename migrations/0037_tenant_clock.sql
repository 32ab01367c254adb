-- Up Migration

-- Time travel (README, "Time travel"): each tenant has a clock, real time plus an offset that
-- only ever grows. While an advance runs (its job, src/clock/), status is 'advancing' and
-- clock_advancing_to is where it goes; requests meanwhile see the old time.
ALTER TABLE tenants
  ADD COLUMN clock_offset_ms bigint NOT NULL DEFAULT 0 CHECK (clock_offset_ms >= 0),
  ADD COLUMN clock_status text NOT NULL DEFAULT 'ready' CHECK (clock_status IN ('ready', 'advancing')),
  ADD COLUMN clock_advancing_to timestamptz;
-- The few tenants whose clock is ahead, for reconciliation's scan of overdue payments.
CREATE INDEX tenants_clock_ahead_idx ON tenants (id) WHERE clock_offset_ms > 0;

-- The time of the tenant a transaction works for. A transaction of a tenant whose clock is not
-- real time sets `sandpay.now` (set_config(..., true): transaction-local) with its first
-- statement (src/tenants/clock.ts); every other transaction sets nothing and this is now(), so
-- real-time tenants pay no extra round trip. A setting once set in a session reads '' after its
-- transaction ends, hence nullif.
CREATE FUNCTION sandpay_now() RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('sandpay.now', true), '')::timestamptz, now())
$$;

-- As clock_timestamp() (which orders rows written by one transaction), on the tenant's clock.
CREATE FUNCTION sandpay_clock_timestamp() RETURNS timestamptz
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('sandpay.now', true), '')::timestamptz + (clock_timestamp() - now()), clock_timestamp())
$$;

-- A tenant's objects are born on its clock.
ALTER TABLE orders ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE payments ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE refunds ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE events ALTER COLUMN created_at SET DEFAULT sandpay_clock_timestamp();
ALTER TABLE webhook_endpoints ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE webhook_deliveries ALTER COLUMN created_at SET DEFAULT sandpay_clock_timestamp(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE webhook_attempts ALTER COLUMN created_at SET DEFAULT sandpay_now();
ALTER TABLE checkout_sessions ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE stripe_customers ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE stripe_payment_methods ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE stripe_intents ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE stripe_products ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();
ALTER TABLE stripe_prices ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();

-- Down Migration
ALTER TABLE orders ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE payments ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE refunds ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE events ALTER COLUMN created_at SET DEFAULT clock_timestamp();
ALTER TABLE webhook_endpoints ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE webhook_deliveries ALTER COLUMN created_at SET DEFAULT clock_timestamp(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE webhook_attempts ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE checkout_sessions ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE stripe_customers ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE stripe_payment_methods ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE stripe_intents ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE stripe_products ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE stripe_prices ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
DROP INDEX tenants_clock_ahead_idx;
DROP FUNCTION sandpay_clock_timestamp();
DROP FUNCTION sandpay_now();
ALTER TABLE tenants DROP COLUMN clock_advancing_to, DROP COLUMN clock_status, DROP COLUMN clock_offset_ms;

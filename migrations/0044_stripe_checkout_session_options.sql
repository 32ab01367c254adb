-- Up Migration

-- What a Checkout Session was created with that changes nothing on Sandpay's page but which Stripe
-- answers back as given: {submit_type, locale, billing_address_collection, allow_promotion_codes,
-- customer_creation}. Sessions made before this column echo Stripe's defaults ({}).
ALTER TABLE stripe_checkout_sessions ADD COLUMN options jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object');

-- Down Migration
ALTER TABLE stripe_checkout_sessions DROP COLUMN options;

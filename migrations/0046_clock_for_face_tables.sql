-- Up Migration

-- The tables the Stripe and Razorpay faces gained beside the tenant clock (0037): their objects
-- are dated on the tenant's clock too (sandpay_now() is now() for a tenant on real time).
ALTER TABLE stripe_checkout_sessions ALTER COLUMN created_at SET DEFAULT sandpay_now();
ALTER TABLE razorpay_objects ALTER COLUMN created_at SET DEFAULT sandpay_now(), ALTER COLUMN updated_at SET DEFAULT sandpay_now();

-- Down Migration
ALTER TABLE stripe_checkout_sessions ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE razorpay_objects ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();

-- Up Migration

-- Stripe's Checkout Sessions (mode payment) over Sandpay's hosted checkout: each is a
-- checkout_sessions row (its order, status, expiry, payments; `cs_X` ↔ Stripe's `cs_test_X`)
-- plus what only Stripe's API has, here: its line items as they were priced at creation, the
-- customer, the URLs as given (success_url may hold {CHECKOUT_SESSION_ID}) and the caller's
-- reference. Its order is made for it alone (the PaymentIntent `pi_…` once paid).
CREATE TABLE stripe_checkout_sessions (
  id                   text PRIMARY KEY REFERENCES checkout_sessions (id),
  tenant_id            text NOT NULL REFERENCES tenants (id),
  order_id             text NOT NULL REFERENCES orders (id),
  customer             text,
  customer_email       text,
  client_reference_id  text,
  success_url          text NOT NULL,
  cancel_url           text,
  -- [{id, description, quantity, currency, unit_amount, amount, price}]: `price` the Price object at creation.
  line_items           jsonb NOT NULL CHECK (jsonb_typeof(line_items) = 'array'),
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_checkout_sessions_tenant_created_idx ON stripe_checkout_sessions (tenant_id, created_at DESC, id DESC);
-- A payment of its order finds it (the completed event).
CREATE INDEX stripe_checkout_sessions_order_idx ON stripe_checkout_sessions (order_id);

-- Down Migration
DROP TABLE stripe_checkout_sessions;

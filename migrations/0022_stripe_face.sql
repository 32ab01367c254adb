-- Up Migration

-- What only Stripe's API has, beside the ledger it shares with the other faces: a PaymentIntent
-- is an order (its amount, currency, capture method and metadata in `orders`) whose attempts are
-- payments (Stripe's Charges) and refunds; these tables keep what Stripe adds to them, and the
-- objects Sandpay has no native twin for (customers, payment methods, products, prices).

CREATE TABLE stripe_customers (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  email        text,
  name         text,
  phone        text,
  description  text,
  address      jsonb,
  shipping     jsonb,
  default_payment_method text,
  metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
  deleted      boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_customers_tenant_created_idx ON stripe_customers (tenant_id, created_at DESC, id DESC);

-- A card as a gateway keeps it: never its number or cvc. `behaviour` is what the test card it
-- came from asks the simulator to do (src/payments/instruments.ts), so a stored method pays as
-- its card would.
CREATE TABLE stripe_payment_methods (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  customer_id  text REFERENCES stripe_customers (id),
  behaviour    text NOT NULL,
  brand        text NOT NULL,
  last4        text NOT NULL,
  bin          text NOT NULL,
  exp_month    integer NOT NULL,
  exp_year     integer NOT NULL,
  funding      text NOT NULL DEFAULT 'credit',
  fingerprint  text NOT NULL,
  billing_details jsonb NOT NULL DEFAULT '{}'::jsonb,
  metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_payment_methods_tenant_created_idx ON stripe_payment_methods (tenant_id, created_at DESC, id DESC);
CREATE INDEX stripe_payment_methods_customer_idx ON stripe_payment_methods (customer_id, created_at DESC, id DESC) WHERE customer_id IS NOT NULL;

-- The PaymentIntent's own fields, one row per order made through Stripe's API.
-- `id` is the order's id (the PaymentIntent's pi_ id is the same under Stripe's prefix).
CREATE TABLE stripe_intents (
  id           text PRIMARY KEY REFERENCES orders (id),
  tenant_id    text NOT NULL REFERENCES tenants (id),
  client_secret text NOT NULL,
  payment_method text,
  -- When payment_method was last set: a payment that failed after it makes the intent ask for a new one.
  payment_method_set_at timestamptz,
  customer     text,
  description  text,
  receipt_email text,
  capture_method text NOT NULL CHECK (capture_method IN ('automatic', 'automatic_async', 'manual')),
  confirmation_method text NOT NULL DEFAULT 'automatic' CHECK (confirmation_method IN ('automatic', 'manual')),
  setup_future_usage text,
  statement_descriptor text,
  return_url   text,
  payment_method_types text[] NOT NULL DEFAULT ARRAY['card'],
  canceled_at  timestamptz,
  cancellation_reason text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_intents_tenant_created_idx ON stripe_intents (tenant_id, created_at DESC, id DESC);
CREATE INDEX stripe_intents_customer_idx ON stripe_intents (customer) WHERE customer IS NOT NULL;

CREATE TABLE stripe_products (
  id           text NOT NULL,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  name         text NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  description  text,
  images       jsonb NOT NULL DEFAULT '[]'::jsonb,
  default_price text,
  url          text,
  metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
  deleted      boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  -- Stripe lets a caller choose a product's id: unique within a tenant only.
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX stripe_products_tenant_created_idx ON stripe_products (tenant_id, created_at DESC, id DESC);

CREATE TABLE stripe_prices (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  product      text NOT NULL,
  currency     text NOT NULL,
  unit_amount  bigint,
  active       boolean NOT NULL DEFAULT true,
  type         text NOT NULL CHECK (type IN ('one_time', 'recurring')),
  recurring    jsonb,
  lookup_key   text,
  nickname     text,
  metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_prices_tenant_created_idx ON stripe_prices (tenant_id, created_at DESC, id DESC);

-- Down Migration
DROP TABLE stripe_prices;
DROP TABLE stripe_products;
DROP TABLE stripe_intents;
DROP TABLE stripe_payment_methods;
DROP TABLE stripe_customers;

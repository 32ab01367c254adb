-- Up Migration

-- Hosted checkout (src/checkout/). A session is the customer's visit to pay one order: opened by
-- the merchant's server (secret key) or by checkout.js in the browser (publishable key), it is
-- `open` until the order is paid (`complete`) or it runs out (`expired`, by its job).
CREATE TABLE checkout_sessions (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants (id),
  order_id      text NOT NULL REFERENCES orders (id),
  amount        bigint NOT NULL CHECK (amount > 0),
  currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'expired')),
  -- The session's latest payment attempt; once complete, the payment that paid the order.
  payment_id    text REFERENCES payments (id),
  url           text NOT NULL,
  success_url   text,
  cancel_url    text,
  methods       text[] NOT NULL CHECK (cardinality(methods) > 0),
  prefill       jsonb NOT NULL DEFAULT '{}'::jsonb,
  name          text,
  description   text,
  metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The page that opened it through checkout.js (its Origin header): the only origin the hosted
  -- page posts results to, and the only one allowed to frame it.
  origin        text,
  opened_with   text NOT NULL CHECK (opened_with IN ('secret', 'publishable')),
  expires_at    timestamptz NOT NULL,
  completed_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkout_sessions_tenant_created_idx ON checkout_sessions (tenant_id, created_at DESC, id DESC);
-- A paid order completes its open sessions.
CREATE INDEX checkout_sessions_order_idx ON checkout_sessions (order_id) WHERE status = 'open';

-- Down Migration
DROP TABLE checkout_sessions;

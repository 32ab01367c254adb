-- Up Migration

-- A stored answer per (tenant, Idempotency-Key), replayed byte-for-byte. Written in the same
-- transaction as the work, under an advisory lock on the key.
CREATE TABLE idempotency_keys (
  tenant_id      text NOT NULL REFERENCES tenants (id),
  key            text NOT NULL,
  method         text NOT NULL,
  path           text NOT NULL,
  fingerprint    text NOT NULL,
  status_code    integer NOT NULL,
  response_body  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

CREATE TABLE orders (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  amount       bigint NOT NULL CHECK (amount > 0),
  currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_paid  bigint NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
  status       text NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'attempted', 'paid')),
  attempts     integer NOT NULL DEFAULT 0,
  receipt      text,
  notes        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_tenant_created_idx ON orders (tenant_id, created_at DESC, id DESC);

CREATE TABLE payments (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants (id),
  order_id         text REFERENCES orders (id),
  amount           bigint NOT NULL CHECK (amount > 0),
  currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status           text NOT NULL CHECK (status IN ('pending', 'authorized', 'success', 'failed', 'flagged',
                                                   'expired', 'partially_refunded', 'refunded')),
  method           text NOT NULL CHECK (method IN ('card', 'upi', 'netbanking', 'wallet')),
  -- Card details as a gateway may keep them: never the number or the cvc.
  card_brand       text,
  card_last4       text,
  card_bin         text,
  card_exp_month   smallint,
  card_exp_year    smallint,
  card_fingerprint text,
  vpa              text,
  bank             text,
  wallet           text,
  -- The outcome the test instrument asks for (see payments/instruments.ts).
  test_behaviour   text NOT NULL,
  capture_method   text NOT NULL CHECK (capture_method IN ('automatic', 'manual')),
  amount_captured  bigint NOT NULL DEFAULT 0,
  amount_refunded  bigint NOT NULL DEFAULT 0,
  failure_code     text,
  failure_message  text,
  fraud_rule_id    text,
  fraud_action     text CHECK (fraud_action IN ('flag', 'block')),
  fraud_reason     text,
  description      text,
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
  customer_email   text,
  billing_country  text,
  webhook_url      text,
  expires_at       timestamptz,
  authorized_at    timestamptz,
  captured_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (amount_captured BETWEEN 0 AND amount),
  CHECK (amount_refunded BETWEEN 0 AND amount_captured)
);
CREATE INDEX payments_tenant_created_idx ON payments (tenant_id, created_at DESC, id DESC);
CREATE INDEX payments_tenant_status_idx ON payments (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX payments_order_idx ON payments (order_id, created_at) WHERE order_id IS NOT NULL;
-- Velocity rules count recent payments per email or card without scanning the table.
CREATE INDEX payments_email_velocity_idx ON payments (tenant_id, customer_email, created_at) WHERE customer_email IS NOT NULL;
CREATE INDEX payments_card_velocity_idx ON payments (tenant_id, card_fingerprint, created_at) WHERE card_fingerprint IS NOT NULL;
CREATE INDEX payments_expiry_idx ON payments (expires_at) WHERE status IN ('pending', 'authorized');

CREATE TABLE refunds (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants (id),
  payment_id    text NOT NULL REFERENCES payments (id),
  amount        bigint NOT NULL CHECK (amount > 0),
  currency      text NOT NULL,
  status        text NOT NULL CHECK (status IN ('pending', 'processed', 'failed')),
  reason        text,
  metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
  failure_code  text,
  processed_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_tenant_created_idx ON refunds (tenant_id, created_at DESC, id DESC);
CREATE INDEX refunds_payment_idx ON refunds (payment_id, created_at DESC, id DESC);

-- The outbox: one row per state change, written in the same transaction. `json` (not jsonb)
-- keeps the object's key order exactly as the API shows it.
CREATE TABLE events (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  type         text NOT NULL,
  object_type  text NOT NULL,
  object_id    text NOT NULL,
  payment_id   text,
  payload      json NOT NULL,
  -- clock_timestamp, not now(): events of one transaction keep the order they happened in.
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX events_tenant_created_idx ON events (tenant_id, created_at DESC, id DESC);
CREATE INDEX events_tenant_type_idx ON events (tenant_id, type, created_at DESC, id DESC);
CREATE INDEX events_object_idx ON events (tenant_id, object_id, created_at DESC, id DESC);

-- Down Migration
DROP TABLE events;
DROP TABLE refunds;
DROP TABLE payments;
DROP TABLE orders;
DROP TABLE idempotency_keys;

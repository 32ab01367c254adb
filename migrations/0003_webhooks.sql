-- Up Migration

CREATE TABLE webhook_endpoints (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants (id),
  url              text NOT NULL,
  events           text[] NOT NULL CHECK (cardinality(events) > 0),
  description      text,
  enabled          boolean NOT NULL DEFAULT true,
  -- Readable on purpose: each delivery is signed with it.
  secret           text NOT NULL,
  disabled_reason  text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  deleted_at       timestamptz
);
CREATE INDEX webhook_endpoints_tenant_idx ON webhook_endpoints (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;

-- One row per (event, target). `job_id` is the pg-boss job expected to work on it next: a job
-- whose id does not match (stale after a replay or retry) leaves the delivery alone.
CREATE TABLE webhook_deliveries (
  id                text PRIMARY KEY,
  tenant_id         text NOT NULL REFERENCES tenants (id),
  event_id          text NOT NULL REFERENCES events (id),
  event_type        text NOT NULL,
  endpoint_id       text REFERENCES webhook_endpoints (id),
  target            text NOT NULL CHECK (target IN ('endpoint', 'payment_url')),
  url               text NOT NULL,
  status            text NOT NULL CHECK (status IN ('pending', 'failed', 'delivered', 'dead')),
  attempt_count     integer NOT NULL DEFAULT 0,
  -- Attempts since the delivery was (re)queued; the retry schedule counts these.
  round_attempts    integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz,
  lease_until       timestamptz,
  last_status_code  integer,
  last_error        text,
  job_id            uuid,
  dlq_job_id        uuid,
  delivered_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK ((target = 'endpoint') = (endpoint_id IS NOT NULL))
);
CREATE INDEX webhook_deliveries_tenant_idx ON webhook_deliveries (tenant_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_tenant_status_idx ON webhook_deliveries (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (created_at DESC, id DESC) WHERE status = 'dead';
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (coalesce(next_attempt_at, created_at)) WHERE status IN ('pending', 'failed');

CREATE TABLE webhook_attempts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id    text NOT NULL REFERENCES webhook_deliveries (id),
  tenant_id      text NOT NULL REFERENCES tenants (id),
  attempt        integer NOT NULL,
  url            text NOT NULL,
  status_code    integer,
  latency_ms     integer NOT NULL,
  response_body  text,
  error          text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (delivery_id, attempt)
);
CREATE INDEX webhook_attempts_created_idx ON webhook_attempts (created_at);

CREATE TABLE reconciliation_runs (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at           timestamptz NOT NULL,
  finished_at          timestamptz NOT NULL,
  duration_ms          integer NOT NULL,
  expired_payments     integer NOT NULL,
  requeued_deliveries  integer NOT NULL,
  trigger              text NOT NULL CHECK (trigger IN ('schedule', 'admin')),
  error                text
);
CREATE INDEX reconciliation_runs_started_idx ON reconciliation_runs (started_at DESC, id DESC);

-- Down Migration
DROP TABLE reconciliation_runs;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;

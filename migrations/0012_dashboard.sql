-- Up Migration

-- Dashboard sign-in (src/dashboard/sessions.ts). The browser holds a random token in an
-- HttpOnly cookie; only its SHA-256 is stored. A tenant session is bound to the API key it
-- signed in with and dies with it (rotation revokes the key); an operator session records the
-- hash of the admin token it used, so a new ADMIN_TOKEN ends it.
CREATE TABLE dashboard_sessions (
  id                text PRIMARY KEY,
  token_hash        text NOT NULL UNIQUE,
  kind              text NOT NULL CHECK (kind IN ('tenant', 'operator')),
  tenant_id         text REFERENCES tenants (id),
  api_key_id        text REFERENCES api_keys (id),
  admin_token_hash  text,
  user_agent        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  expires_at        timestamptz NOT NULL,
  revoked_at        timestamptz,
  CHECK ((kind = 'tenant') = (tenant_id IS NOT NULL AND api_key_id IS NOT NULL)),
  CHECK ((kind = 'operator') = (admin_token_hash IS NOT NULL))
);
CREATE INDEX dashboard_sessions_key_idx ON dashboard_sessions (api_key_id) WHERE revoked_at IS NULL;
CREATE INDEX dashboard_sessions_expires_idx ON dashboard_sessions (expires_at);

-- The request log (src/request-log/): each tenant's recent API requests, redacted, written in
-- batches after the responses went out. UNLOGGED: it is a debugging aid bounded in size and
-- age, so losing it in a crash is acceptable, and it spares the WAL (and the disk's fsyncs)
-- a write per API request. No foreign key: the insert is one multi-row statement per batch and
-- must not wait on tenant rows.
CREATE UNLOGGED TABLE request_log (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL,
  request_id       text NOT NULL,
  method           text NOT NULL,
  path             text NOT NULL,
  query            text,
  status           smallint NOT NULL,
  latency_ms       real NOT NULL,
  idempotency_key  text,
  replayed         boolean NOT NULL DEFAULT false,
  source           text NOT NULL CHECK (source IN ('secret_key', 'publishable_key', 'restricted_key', 'service_token', 'dashboard')),
  error_type       text,
  error_code       text,
  error_message    text,
  error_param      text,
  request_body     text,
  response_body    text,
  -- Set by fault injection when the answer was a fault it injected (null otherwise).
  fault            text,
  created_at       timestamptz NOT NULL
);
CREATE INDEX request_log_tenant_idx ON request_log (tenant_id, created_at DESC, id DESC);
CREATE INDEX request_log_created_brin ON request_log USING brin (created_at);

-- What each delivery attempt sent besides the event body: its signature headers (with the
-- attempt's own timestamp), so the dashboard can show exactly what the receiver got.
ALTER TABLE webhook_attempts ADD COLUMN request_headers jsonb;
-- A tenant's delivery health over the last hour (dashboard home) without scanning everyone's.
CREATE INDEX webhook_attempts_tenant_created_idx ON webhook_attempts (tenant_id, created_at);

-- Down Migration
DROP INDEX webhook_attempts_tenant_created_idx;
ALTER TABLE webhook_attempts DROP COLUMN request_headers;
DROP TABLE request_log;
DROP TABLE dashboard_sessions;

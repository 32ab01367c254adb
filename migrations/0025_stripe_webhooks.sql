-- Up Migration

-- A webhook endpoint may pin the version of its face's API its bodies are written in (Stripe's
-- `api_version` on a WebhookEndpoint); NULL: the face's current one. Every attempt reads it with
-- the endpoint, as it reads the URL and secret, so it names no face.
ALTER TABLE webhook_endpoints ADD COLUMN api_version text CHECK (api_version ~ '^[0-9A-Za-z._-]{1,64}$');

-- What only Stripe's WebhookEndpoint has beside the native endpoint it is a view of: its metadata.
-- One row per endpoint made through Stripe's API (one made with `format: "stripe"` through
-- Sandpay's own has none, and shows `{}`).
CREATE TABLE stripe_webhook_endpoints (
  id         text PRIMARY KEY REFERENCES webhook_endpoints (id),
  tenant_id  text NOT NULL REFERENCES tenants (id),
  metadata   jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- Down Migration
DROP TABLE stripe_webhook_endpoints;
ALTER TABLE webhook_endpoints DROP COLUMN api_version;

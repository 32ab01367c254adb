-- Up Migration

-- Restricted keys (src/credentials/restricted-keys.ts): rk_test_ keys with a level per resource,
-- for a service that needs only part of the API. Shown once, stored as a SHA-256 hash like the
-- secret key, looked up by that hash in the same single query per request.
CREATE TABLE restricted_keys (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  name         text NOT NULL,
  key_hash     text NOT NULL UNIQUE,
  last4        text NOT NULL,
  -- {"payments": "read"|"write"|"none", ...} for every resource (src/credentials/permissions.ts).
  permissions  jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX restricted_keys_tenant_idx ON restricted_keys (tenant_id, created_at DESC, id DESC);

-- Public keys a tenant registered to sign its own service tokens (RS256/ES256 JWTs), by kid.
-- The algorithm is fixed at registration, so a token cannot choose another one for the key.
CREATE TABLE jwt_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  kid          text NOT NULL,
  alg          text NOT NULL,
  jwk          jsonb NOT NULL,
  thumbprint   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE UNIQUE INDEX jwt_keys_active_kid ON jwt_keys (tenant_id, kid) WHERE revoked_at IS NULL;

-- Service-token ids already used: a token's jti is refused a second time until the token has
-- expired (then its exp refuses it). Issuer: the tenant id, or 'admin' for operator tokens.
-- Pruned by the idempotency cleanup job.
CREATE TABLE jwt_replay (
  issuer      text NOT NULL,
  jti         text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (issuer, jti)
);
CREATE INDEX jwt_replay_expires_idx ON jwt_replay (expires_at);

-- Which credential made each logged request (src/http/request-log.ts): its kind (secret_key,
-- restricted_key, service_token, …) and id (key_…, or kid:jti for a service token).
ALTER TABLE request_log ADD COLUMN credential_type text, ADD COLUMN credential_id text;

-- Down Migration
ALTER TABLE request_log DROP COLUMN credential_id, DROP COLUMN credential_type;
DROP TABLE jwt_replay;
DROP TABLE jwt_keys;
DROP TABLE restricted_keys;

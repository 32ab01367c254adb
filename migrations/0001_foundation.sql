-- Up Migration

CREATE TABLE tenants (
  id                 text PRIMARY KEY,
  name               text NOT NULL,
  email              text NOT NULL,
  -- Kept readable: signing needs the secret itself. Shown to the tenant once, at registration.
  webhook_secret     text NOT NULL,
  settings           jsonb NOT NULL DEFAULT '{}'::jsonb,
  disabled           boolean NOT NULL DEFAULT false,
  rate_limit         integer CHECK (rate_limit > 0),  -- requests per RATE_LIMIT_WINDOW_MS; null = the default
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_email_key ON tenants (lower(email));
CREATE INDEX tenants_created_idx ON tenants (created_at DESC, id DESC);

CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants (id),
  type        text NOT NULL CHECK (type IN ('secret', 'publishable')),
  key_hash    text NOT NULL UNIQUE,
  last4       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id) WHERE revoked_at IS NULL;

-- Rate-limit counters shared by every API process. UNLOGGED: losing them in a crash only
-- resets a window, and it spares the WAL a write per request.
CREATE UNLOGGED TABLE rate_limit_hits (
  key       text PRIMARY KEY,
  hits      integer NOT NULL,
  reset_at  timestamptz NOT NULL
);

-- ---------------------------------------------------------------------------------------
-- Append-only audit log with a SHA-256 hash chain per tenant ('global' for operator-wide
-- changes). Triggers refuse UPDATE, DELETE and TRUNCATE; the chain catches an edit made by
-- someone who disabled the triggers.
-- ---------------------------------------------------------------------------------------
CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chain        text NOT NULL,
  seq          bigint NOT NULL,
  tenant_id    text REFERENCES tenants (id),
  object_type  text NOT NULL,
  object_id    text NOT NULL,
  action       text NOT NULL,
  old_status   text,
  new_status   text,
  actor_type   text NOT NULL,
  actor_id     text,
  request_id   text,
  metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  UNIQUE (chain, seq)
);
CREATE INDEX audit_log_object_idx ON audit_log (tenant_id, object_id, seq);

-- The canonical form of a row is a jsonb array (jsonb's text form is deterministic) with the
-- timestamp at microsecond precision in UTC. Appends and verification both call this.
CREATE FUNCTION audit_row_hash(
  prev_hash text, chain text, seq bigint, tenant_id text, object_type text, object_id text,
  action text, old_status text, new_status text, actor_type text, actor_id text,
  request_id text, metadata jsonb, created_at timestamptz
) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    prev_hash, chain, seq, tenant_id, object_type, object_id, action, old_status, new_status,
    actor_type, actor_id, request_id, metadata,
    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
  )::text, 'UTF8')), 'hex')
$$;

-- Appends entries (a jsonb array) to one chain. The advisory lock serialises appends per chain
-- until commit; callers append last in their transaction so the lock is held only briefly.
-- VOLATILE, so the SELECT after the lock takes a fresh snapshot and sees the previous holder's rows.
CREATE FUNCTION audit_append(p_chain text, p_entries jsonb) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_seq   bigint;
  v_hash  text;
  v_now   timestamptz := now();
  e       jsonb;
  h       text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('sandpay:audit:' || p_chain, 0));
  SELECT seq, hash INTO v_seq, v_hash FROM audit_log WHERE chain = p_chain ORDER BY seq DESC LIMIT 1;
  v_seq := coalesce(v_seq, 0);
  v_hash := coalesce(v_hash, repeat('0', 64));
  FOR e IN SELECT value FROM jsonb_array_elements(p_entries) LOOP
    v_seq := v_seq + 1;
    h := audit_row_hash(v_hash, p_chain, v_seq, e->>'tenant_id', e->>'object_type', e->>'object_id',
           e->>'action', e->>'old_status', e->>'new_status', e->>'actor_type', e->>'actor_id',
           e->>'request_id', coalesce(e->'metadata', '{}'::jsonb), v_now);
    INSERT INTO audit_log (chain, seq, tenant_id, object_type, object_id, action, old_status, new_status,
                           actor_type, actor_id, request_id, metadata, created_at, prev_hash, hash)
    VALUES (p_chain, v_seq, e->>'tenant_id', e->>'object_type', e->>'object_id', e->>'action',
            e->>'old_status', e->>'new_status', e->>'actor_type', e->>'actor_id', e->>'request_id',
            coalesce(e->'metadata', '{}'::jsonb), v_now, v_hash, h);
    v_hash := h;
  END LOOP;
END $$;

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'audit rows can only be inserted';
END $$;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Down Migration
DROP TABLE audit_log;
DROP FUNCTION audit_log_refuse_change();
DROP FUNCTION audit_append(text, jsonb);
DROP FUNCTION audit_row_hash(text, text, bigint, text, text, text, text, text, text, text, text, text, jsonb, timestamptz);
DROP TABLE rate_limit_hits;
DROP TABLE api_keys;
DROP TABLE tenants;

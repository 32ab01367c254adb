-- Up Migration

-- The audit chain becomes keyed (issue 17, item 1). Until now a row's hash was plain SHA-256
-- that the database itself computes (audit_row_hash), so anyone able to write the table could
-- rewrite rows and recompute the chain. From here on (src/audit/):
--  * every row carries `mac`: HMAC-SHA256 of its contents with a key only the Sandpay process
--    holds, computed in Node and sent with the INSERT (no extra round trip, no lock);
--  * rows are inserted unsealed (seq, prev_hash, hash NULL) in the business transaction, and
--    the process's sealer chains committed rows per chain right after commit:
--    hash = HMAC(chain, seq, prev_hash, mac). No per-tenant lock is held across a round trip
--    inside a payment's transaction any more;
--  * signed checkpoints of each chain's head are kept in audit_checkpoints and outside the
--    database (a file in DATA_DIR, and the tenant's own copy via the audit.checkpoint event).
-- Rows written before this migration keep their SHA-256 hashes ("legacy" rows, mac NULL) and
-- verify only as the start of their chain.

ALTER TABLE audit_log
  ALTER COLUMN seq DROP NOT NULL,
  ALTER COLUMN prev_hash DROP NOT NULL,
  ALTER COLUMN hash DROP NOT NULL,
  ADD COLUMN mac text,
  ADD CONSTRAINT audit_log_sealed_together CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL));

-- What the sealer looks for; normally (nearly) empty.
CREATE INDEX audit_log_unsealed_idx ON audit_log (chain, id) WHERE seq IS NULL;

-- The unkeyed append path is gone: an append that Postgres can hash is one an attacker can forge.
-- audit_row_hash stays, to verify legacy rows.
DROP FUNCTION audit_append(text, jsonb);

CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'audit rows can only be inserted';
END $$;

-- The one UPDATE allowed is the seal: seq, prev_hash and hash go from NULL to values and nothing
-- else changes (compared as jsonb, so a column added later is covered without editing this).
-- A sealed row can never be updated again.
CREATE FUNCTION audit_log_seal_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
     AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
     AND to_jsonb(NEW) - ARRAY['seq', 'prev_hash', 'hash'] = to_jsonb(OLD) - ARRAY['seq', 'prev_hash', 'hash'] THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: UPDATE is not allowed'
    USING ERRCODE = 'insufficient_privilege', HINT = 'audit rows can only be inserted, and sealed once by Sandpay';
END $$;

DROP TRIGGER audit_log_no_update_delete ON audit_log;
CREATE TRIGGER audit_log_seal_only BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_seal_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

-- Signed checkpoints: (chain, seq, head_hash, row_count, created_at) signed with the process's
-- Ed25519 key. `payload` is the exact signed text. Deleting one here does not erase it: the
-- process keeps a copy in DATA_DIR and the tenant receives one as an event.
CREATE TABLE audit_checkpoints (
  id          text PRIMARY KEY,
  chain       text NOT NULL,
  seq         bigint NOT NULL,
  head_hash   text NOT NULL,
  row_count   bigint NOT NULL,
  key_id      text NOT NULL,
  payload     text NOT NULL,
  signature   text NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX audit_checkpoints_seq_idx ON audit_checkpoints (chain, seq DESC);
CREATE INDEX audit_checkpoints_created_idx ON audit_checkpoints (chain, created_at DESC, id DESC);
CREATE TRIGGER audit_checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Which master key this database's keyed data belongs to. A process started with another key
-- refuses to run, rather than reporting every audit row as tampered with.
CREATE TABLE key_fingerprints (
  purpose      text PRIMARY KEY,
  fingerprint  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE key_fingerprints;
DROP TABLE audit_checkpoints;
DROP TRIGGER audit_log_seal_only ON audit_log;
DROP TRIGGER audit_log_no_delete ON audit_log;
DROP FUNCTION audit_log_seal_only();
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'audit rows can only be inserted';
END $$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
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
DROP INDEX audit_log_unsealed_idx;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_sealed_together, DROP COLUMN mac;
-- Fails while unsealed rows exist: seal them (start Sandpay once) before migrating down.
ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;

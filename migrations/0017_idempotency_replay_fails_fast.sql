-- Up Migration

-- A request's work is sent right behind its Idempotency-Key claim, before the claim's answer is
-- known (src/http/idempotency.ts). When the key already has an answer, that work is thrown away:
-- the claim then leaves a 1 ms lock_timeout, so the discarded statements fail at once instead of
-- waiting behind another transaction's row or advisory locks while the replay waits for them.
CREATE OR REPLACE FUNCTION idempotency_claim(p_tenant text, p_key text, p_lock_timeout text)
RETURNS TABLE (method text, path text, fingerprint text, status_code integer, response_body text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  previous text := current_setting('lock_timeout');
BEGIN
  PERFORM set_config('lock_timeout', p_lock_timeout, true);
  PERFORM pg_advisory_xact_lock(hashtextextended('sandpay:idem:' || p_tenant || ':' || p_key, 0));
  RETURN QUERY
    SELECT i.method, i.path, i.fingerprint, i.status_code, i.response_body
      FROM idempotency_keys i WHERE i.tenant_id = p_tenant AND i.key = p_key;
  PERFORM set_config('lock_timeout', CASE WHEN FOUND THEN '1ms' ELSE previous END, true);
END $$;

-- Down Migration
CREATE OR REPLACE FUNCTION idempotency_claim(p_tenant text, p_key text, p_lock_timeout text)
RETURNS TABLE (method text, path text, fingerprint text, status_code integer, response_body text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  previous text := current_setting('lock_timeout');
BEGIN
  PERFORM set_config('lock_timeout', p_lock_timeout, true);
  PERFORM pg_advisory_xact_lock(hashtextextended('sandpay:idem:' || p_tenant || ':' || p_key, 0));
  PERFORM set_config('lock_timeout', previous, true);
  RETURN QUERY
    SELECT i.method, i.path, i.fingerprint, i.status_code, i.response_body
      FROM idempotency_keys i WHERE i.tenant_id = p_tenant AND i.key = p_key;
END $$;

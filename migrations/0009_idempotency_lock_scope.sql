-- Up Migration

-- The Idempotency-Key wait bound applies to that one lock: restore lock_timeout after taking it,
-- so the payment's later row locks in the same transaction wait as usual instead of failing fast.
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

-- Down Migration
CREATE OR REPLACE FUNCTION idempotency_claim(p_tenant text, p_key text, p_lock_timeout text)
RETURNS TABLE (method text, path text, fingerprint text, status_code integer, response_body text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM set_config('lock_timeout', p_lock_timeout, true);
  PERFORM pg_advisory_xact_lock(hashtextextended('sandpay:idem:' || p_tenant || ':' || p_key, 0));
  RETURN QUERY
    SELECT i.method, i.path, i.fingerprint, i.status_code, i.response_body
      FROM idempotency_keys i WHERE i.tenant_id = p_tenant AND i.key = p_key;
END $$;

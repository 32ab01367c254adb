-- Up Migration

-- "Take a lock, then read what the previous holder committed" in one round trip. Inside a
-- VOLATILE function each statement takes a fresh snapshot, so the read after the lock sees the
-- previous holder's commit, as two separate statements would.

-- Idempotency: wait (at most p_lock_timeout) for the key, then return its stored answer if any.
CREATE FUNCTION idempotency_claim(p_tenant text, p_key text, p_lock_timeout text)
RETURNS TABLE (method text, path text, fingerprint text, status_code integer, response_body text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM set_config('lock_timeout', p_lock_timeout, true);
  PERFORM pg_advisory_xact_lock(hashtextextended('sandpay:idem:' || p_tenant || ':' || p_key, 0));
  RETURN QUERY
    SELECT i.method, i.path, i.fingerprint, i.status_code, i.response_body
      FROM idempotency_keys i WHERE i.tenant_id = p_tenant AND i.key = p_key;
END $$;

-- Velocity: lock the (rule, scope value) when p_lock is given, then count the tenant's payments
-- in the window for that scope. Each branch is a static query on its own index.
CREATE FUNCTION velocity_count(p_lock text, p_tenant text, p_window_seconds integer, p_per text, p_value text)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF p_lock IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_lock, 0));
  END IF;
  IF p_per = 'customer_email' THEN
    RETURN (SELECT count(*) FROM payments WHERE tenant_id = p_tenant AND customer_email = p_value
              AND created_at > now() - p_window_seconds * interval '1 second');
  ELSIF p_per = 'card' THEN
    RETURN (SELECT count(*) FROM payments WHERE tenant_id = p_tenant AND card_fingerprint = p_value
              AND created_at > now() - p_window_seconds * interval '1 second');
  END IF;
  RETURN (SELECT count(*) FROM payments WHERE tenant_id = p_tenant
            AND created_at > now() - p_window_seconds * interval '1 second');
END $$;

-- Down Migration
DROP FUNCTION velocity_count(text, text, integer, text, text);
DROP FUNCTION idempotency_claim(text, text, text);

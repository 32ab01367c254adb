-- Up Migration

-- The per-process cache of API keys and tenants for authentication (src/tenants/caches.ts) is
-- dropped through NOTIFY whenever a row it depends on changes, whoever changes it: the trigger
-- fires in the writing transaction and the notification is delivered at its COMMIT (never on
-- ROLLBACK), so a revoked key stops working in every process at once.
-- Payload: '<cache>:<tenant id>'.
CREATE FUNCTION notify_cache_invalidation() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  PERFORM pg_notify('sandpay_invalidate', TG_ARGV[0] || ':' || coalesce(r ->> TG_ARGV[1], ''));
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_invalidate AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('auth', 'tenant_id');
CREATE TRIGGER restricted_keys_invalidate AFTER INSERT OR UPDATE OR DELETE ON restricted_keys
  FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('auth', 'tenant_id');
CREATE TRIGGER tenants_invalidate AFTER UPDATE OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation('auth', 'id');

-- Down Migration
DROP TRIGGER tenants_invalidate ON tenants;
DROP TRIGGER restricted_keys_invalidate ON restricted_keys;
DROP TRIGGER api_keys_invalidate ON api_keys;
DROP FUNCTION notify_cache_invalidation();

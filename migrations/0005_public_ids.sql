-- Up Migration

-- 20 base62 characters from CSPRNG bytes (two gen_random_uuid(), skipping their fixed version and
-- variant bytes), for ids made inside SQL: webhook deliveries fan out in one INSERT ... SELECT.
-- Same shape as the ids made in Node (src/ids.ts).
CREATE FUNCTION random_public_id() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT string_agg(c, '' ORDER BY i) FROM (
    SELECT i, substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', get_byte(r.b, i) % 62 + 1, 1) AS c
      FROM (SELECT uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) AS b) AS r,
           generate_series(0, 31) AS i
     WHERE i NOT IN (6, 8, 22, 24)
     ORDER BY i
     LIMIT 20
  ) AS chars
$$;

-- Down Migration
DROP FUNCTION random_public_id();

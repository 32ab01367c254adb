-- Up Migration

-- A gateway face raises events about objects only it has (Stripe's customers, payment methods,
-- products and prices) through the same outbox as the ledger's: same deliveries, retries, DLQ and
-- replay. Such an event has no native name: the outbox keeps it as `"sandpay": []` in face_names
-- beside the face's one name (`{"stripe": ["customer.created"], "sandpay": []}`), so Sandpay's
-- own reads (its event API, the stream, the dashboard, the CLI) skip it and no Sandpay-format
-- endpoint or payment webhook_url gets it. A ledger event keeps no "sandpay" entry: its native
-- name is its type.

-- What a face's update event says changed (Stripe's data.previous_attributes); NULL otherwise.
ALTER TABLE events ADD COLUMN previous_attributes jsonb;
-- The id of the API request whose transaction raised the event (Stripe's request.id); NULL for
-- an event a job, a timer or an event before this migration raised.
ALTER TABLE events ADD COLUMN request_id text;

-- As migration 0026's, but a Sandpay-format endpoint gets the event's native names where the
-- outbox kept them (none for a face's own event), else its type.
CREATE OR REPLACE FUNCTION webhook_names(format text, events text[], type text, names jsonb) RETURNS TABLE (name text, n bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT x.name, x.n
    FROM jsonb_array_elements_text(CASE format WHEN 'sandpay' THEN coalesce(names, jsonb_build_array(type)) ELSE coalesce(names, '[]'::jsonb) END) WITH ORDINALITY AS x (name, n)
   WHERE x.name = ANY (events) OR '*' = ANY (events)
$$;

-- Down Migration
CREATE OR REPLACE FUNCTION webhook_names(format text, events text[], type text, names jsonb) RETURNS TABLE (name text, n bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT x.name, x.n
    FROM jsonb_array_elements_text(CASE format WHEN 'sandpay' THEN jsonb_build_array(type) ELSE coalesce(names, '[]'::jsonb) END) WITH ORDINALITY AS x (name, n)
   WHERE x.name = ANY (events) OR '*' = ANY (events)
$$;
ALTER TABLE events DROP COLUMN request_id;
ALTER TABLE events DROP COLUMN previous_attributes;

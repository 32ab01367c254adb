-- Up Migration

-- A face may send one ledger event under several names, each its own event there (Stripe sends
-- charge.succeeded and payment_intent.succeeded for one payment). The outbox keeps an event's
-- names in each face as it computed them when it wrote the event
-- (`{"stripe": ["charge.succeeded", "payment_intent.succeeded"], "razorpay": ["payment.captured"]}`),
-- some from what only the writer knew (what a new payment waits for), so the fan-out, a resend
-- and a face's own event list read the same names. NULL: written before this migration (a face's
-- event list does not show those; a resend names them as the face does now).
ALTER TABLE events ADD COLUMN face_names jsonb;

-- A delivery carries one name: webhook_deliveries.event_type is the name it is sent under, the
-- event's own type for a Sandpay-format endpoint or a payment's webhook_url, else one of the
-- event's names in the endpoint's face. So a retry or a replay sends the same name again.

-- The names an endpoint gets an event under, in its face's order: a Sandpay-format endpoint the
-- event's type, an endpoint of a gateway face each of the event's names there (`names`, from
-- face_names; NULL when it has none, and its endpoints never get the event) that it lists, or
-- all of them for "*". One definition for fan-out and resend, that names no gateway face.
CREATE FUNCTION webhook_names(format text, events text[], type text, names jsonb) RETURNS TABLE (name text, n bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT x.name, x.n
    FROM jsonb_array_elements_text(CASE format WHEN 'sandpay' THEN jsonb_build_array(type) ELSE coalesce(names, '[]'::jsonb) END) WITH ORDINALITY AS x (name, n)
   WHERE x.name = ANY (events) OR '*' = ANY (events)
$$;

-- webhook_wants (migration 0019), which took one name per face, is no longer called; it stays for
-- processes of the previous version still running while this one migrates (their fan-out names it).

-- Down Migration
DROP FUNCTION webhook_names(text, text[], text, jsonb);
ALTER TABLE events DROP COLUMN face_names;

-- Up Migration

-- Whether an endpoint wants an event: a Sandpay-format endpoint by the event's own type, an
-- endpoint of any gateway face by the event's name in that face (the caller passes it, from the
-- face's own table: NULL when the face has no such event, and its endpoints never get it). One
-- definition for fan-out and resend, that names no face.
DROP FUNCTION webhook_wants(text, text[], text, text);
CREATE FUNCTION webhook_wants(format text, events text[], type text, face_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE format
    WHEN 'sandpay' THEN type = ANY (events) OR '*' = ANY (events)
    ELSE face_type IS NOT NULL AND (face_type = ANY (events) OR '*' = ANY (events))
  END
$$;

-- Down Migration
DROP FUNCTION webhook_wants(text, text[], text, text);
CREATE FUNCTION webhook_wants(format text, events text[], type text, razorpay_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE format
    WHEN 'razorpay' THEN razorpay_type IS NOT NULL AND (razorpay_type = ANY (events) OR '*' = ANY (events))
    ELSE type = ANY (events) OR '*' = ANY (events)
  END
$$;

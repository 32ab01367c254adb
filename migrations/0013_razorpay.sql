-- Up Migration

-- Razorpay test mode (src/razorpay/, issue 13): the same orders, payments, refunds and events,
-- shown through Razorpay's API shapes under /v1 and Razorpay's webhook format.

-- A Razorpay key pair is an api_keys row of type 'razorpay': key_hash is the SHA-256 of its
-- key_id (rzp_test_…), looked up like every other key. Its key_secret must stay readable,
-- because Sandpay signs checkout results with it, so it is kept AES-256-GCM encrypted under a
-- key derived from the master key (src/secrets/keys.ts), bound to the row's id; Postgres never
-- sees the plaintext.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_type_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_type_check CHECK (type IN ('secret', 'publishable', 'razorpay'));
ALTER TABLE api_keys ADD COLUMN secret_ciphertext text;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_razorpay_secret CHECK ((type = 'razorpay') = (secret_ciphertext IS NOT NULL));

-- An endpoint's body format. A 'razorpay' endpoint subscribes with Razorpay's event names and
-- gets Razorpay's event body, signed with X-Razorpay-Signature.
ALTER TABLE webhook_endpoints ADD COLUMN format text NOT NULL DEFAULT 'sandpay' CHECK (format IN ('sandpay', 'razorpay'));

-- Whether an endpoint wants an event: by the event's own type, or for a 'razorpay' endpoint by
-- its Razorpay name (computed by the caller from src/razorpay/events.ts; NULL when the event has
-- none, which a Razorpay endpoint never gets). One definition for fan-out and resend.
CREATE FUNCTION webhook_wants(format text, events text[], type text, razorpay_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE format
    WHEN 'razorpay' THEN razorpay_type IS NOT NULL AND (razorpay_type = ANY (events) OR '*' = ANY (events))
    ELSE type = ANY (events) OR '*' = ANY (events)
  END
$$;

-- A checkout opened by checkout.js with a Razorpay key_id: its result is signed with that key's
-- key_secret (as Razorpay's checkout does), not with the tenant's webhook secret.
ALTER TABLE checkout_sessions ADD COLUMN razorpay_key_id text REFERENCES api_keys (id);

-- Razorpay's refund `receipt` (the merchant's own reference).
ALTER TABLE refunds ADD COLUMN receipt text;

-- How the hosted checkout captures an order's payments (Razorpay's order `payment_capture`):
-- 'manual' leaves them authorized for the merchant's server to capture. NULL: automatic.
ALTER TABLE orders ADD COLUMN capture_method text CHECK (capture_method IN ('automatic', 'manual'));

-- Down Migration
ALTER TABLE orders DROP COLUMN capture_method;
ALTER TABLE refunds DROP COLUMN receipt;
ALTER TABLE checkout_sessions DROP COLUMN razorpay_key_id;
DROP FUNCTION webhook_wants(text, text[], text, text);
ALTER TABLE webhook_endpoints DROP COLUMN format;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_razorpay_secret;
ALTER TABLE api_keys DROP COLUMN secret_ciphertext;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_type_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_type_check CHECK (type IN ('secret', 'publishable'));

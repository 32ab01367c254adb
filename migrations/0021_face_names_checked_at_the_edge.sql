-- Up Migration

-- The gateway faces are listed in code (src/contract/faces.ts), and a face's name is checked where
-- it comes in: the key routes take the types of the faces' key pairs, the webhook endpoint routes
-- the faces' formats (zod, from that list). So adding a face needs no migration: the columns
-- keep only the shape of a name, and name no face.

-- A key's type: one of Sandpay's key roles, or the name of the face whose key pair it is.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_type_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_type_check CHECK (type ~ '^[a-z][a-z0-9_]{0,39}$');

-- Sandpay's own keys are stored only as hashes; a face's key pair may keep its secret encrypted
-- (a Razorpay key_secret signs checkout results).
ALTER TABLE api_keys DROP CONSTRAINT api_keys_razorpay_secret;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_secret_only_for_faces CHECK (type NOT IN ('secret', 'publishable') OR secret_ciphertext IS NULL);

-- An endpoint's body format: 'sandpay', or the name of a face.
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_format_check;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_format_check CHECK (format ~ '^[a-z][a-z0-9_]{0,39}$');

-- Down Migration
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_format_check;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_format_check CHECK (format IN ('sandpay', 'razorpay'));
ALTER TABLE api_keys DROP CONSTRAINT api_keys_secret_only_for_faces;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_razorpay_secret CHECK ((type = 'razorpay') = (secret_ciphertext IS NOT NULL));
ALTER TABLE api_keys DROP CONSTRAINT api_keys_type_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_type_check CHECK (type IN ('secret', 'publishable', 'razorpay'));

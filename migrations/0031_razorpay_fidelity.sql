-- Up Migration

-- What the Razorpay face needs to answer as Razorpay does (issue 23).

-- The payer's phone number (Razorpay's `contact`, checkout's prefill.contact).
ALTER TABLE payments ADD COLUMN customer_contact text;

-- A refund's requested speed (Razorpay's speed_requested: normal or optimum), and the
-- X-Refund-Idempotency value it was made with: the same value gives back the same refund.
ALTER TABLE refunds ADD COLUMN speed text NOT NULL DEFAULT 'normal' CHECK (speed IN ('normal', 'optimum'));
ALTER TABLE refunds ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX refunds_idempotency_key_idx ON refunds (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- An order that takes partial payments (Razorpay's partial_payment): paid once its payments add
-- up to its amount, the first at least first_payment_min_amount.
ALTER TABLE orders ADD COLUMN partial_payment boolean NOT NULL DEFAULT false;
ALTER TABLE orders ADD COLUMN first_payment_min_amount bigint CHECK (first_payment_min_amount > 0);
CREATE INDEX orders_tenant_receipt_idx ON orders (tenant_id, receipt) WHERE receipt IS NOT NULL;

-- The notes checkout.js was opened with (Razorpay's `notes` option): each payment of the session
-- carries them as its metadata.
ALTER TABLE checkout_sessions ADD COLUMN payment_notes jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Which checkout session made a payment: the hosted checkout's own link, which used to be the
-- payment's metadata ({"checkout_session_id": …}) and so showed as the payment's notes.
CREATE TABLE checkout_payments (
  payment_id  text PRIMARY KEY REFERENCES payments (id),
  session_id  text NOT NULL REFERENCES checkout_sessions (id),
  tenant_id   text NOT NULL REFERENCES tenants (id)
);
CREATE INDEX checkout_payments_session_idx ON checkout_payments (session_id);
INSERT INTO checkout_payments (payment_id, session_id, tenant_id)
SELECT p.id, s.id, p.tenant_id FROM payments p JOIN checkout_sessions s ON s.id = p.metadata ->> 'checkout_session_id' AND s.tenant_id = p.tenant_id;
UPDATE payments SET metadata = metadata - 'checkout_session_id' WHERE metadata ? 'checkout_session_id';

-- Down Migration
UPDATE payments p SET metadata = p.metadata || jsonb_build_object('checkout_session_id', c.session_id) FROM checkout_payments c WHERE c.payment_id = p.id;
DROP TABLE checkout_payments;
ALTER TABLE checkout_sessions DROP COLUMN payment_notes;
DROP INDEX orders_tenant_receipt_idx;
ALTER TABLE orders DROP COLUMN first_payment_min_amount;
ALTER TABLE orders DROP COLUMN partial_payment;
DROP INDEX refunds_idempotency_key_idx;
ALTER TABLE refunds DROP COLUMN idempotency_key;
ALTER TABLE refunds DROP COLUMN speed;
ALTER TABLE payments DROP COLUMN customer_contact;

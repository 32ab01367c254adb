-- Up Migration

-- Issue 24: an authorization expires the way the gateway whose face took the payment does it. A
-- payment made through a face's checkout (a session opened with its key) carries that face's
-- window, from the payment's creation (Razorpay: 3 days); null is the ledger's own
-- (PAYMENT_AUTHORIZED_TTL_SECONDS from authorization, Stripe's 7 days).
ALTER TABLE payments ADD COLUMN authorization_window_seconds integer;

-- The Razorpay face's settlement.processed, once per tenant and India day, whoever sends it first:
-- the real-time 00:05 IST run or a clock advance passing the day's end.
CREATE TABLE razorpay_settlement_runs (
  tenant_id    text NOT NULL REFERENCES tenants (id),
  day          date NOT NULL,
  announced_at timestamptz NOT NULL DEFAULT sandpay_now(),
  PRIMARY KEY (tenant_id, day)
);

-- Down Migration
DROP TABLE razorpay_settlement_runs;
ALTER TABLE payments DROP COLUMN authorization_window_seconds;

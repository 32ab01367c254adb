-- Up Migration

-- What only Razorpay's API has (issue 23): customers, saved cards (tokens), items, payment
-- links, invoices, QR codes, virtual accounts, and each payment a QR code or virtual account
-- took. They are one table because Sandpay only keeps and shows most of their fields
-- (Razorpay's entity, as `data`); the few it acts on are columns: the kind, the status the face
-- moves, the ledger order a link, invoice or payment is paid through, the customer. Owned by
-- src/faces/razorpay (its store.ts).
CREATE TABLE razorpay_objects (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants (id),
  kind        text NOT NULL CHECK (kind IN ('customer', 'token', 'item', 'payment_link', 'invoice', 'qr_code', 'qr_payment', 'virtual_account', 'va_payment', 'dispute', 'fund_account')),
  status      text,
  order_id    text REFERENCES orders (id),
  customer_id text REFERENCES razorpay_objects (id),
  data        jsonb NOT NULL DEFAULT '{}'::jsonb,
  deleted     boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Razorpay's lists: a kind's rows of one tenant, newest first.
CREATE INDEX razorpay_objects_list_idx ON razorpay_objects (tenant_id, kind, created_at DESC, id DESC);
-- A paid order finds its link or invoice (the paymentMoved hook).
CREATE INDEX razorpay_objects_order_idx ON razorpay_objects (order_id) WHERE order_id IS NOT NULL;
-- A customer's tokens.
CREATE INDEX razorpay_objects_customer_idx ON razorpay_objects (customer_id) WHERE customer_id IS NOT NULL;

-- Down Migration
DROP TABLE razorpay_objects;

-- Up Migration

-- A checkout that saves the card it is paid with for a customer of a gateway face (Razorpay's
-- checkout options customer_id + save: 1): that customer's id, read when the payment succeeds
-- (src/faces/razorpay/payable.ts makes the token). NULL: nothing is saved.
ALTER TABLE checkout_sessions ADD COLUMN save_card_customer_id text;

-- Down Migration
ALTER TABLE checkout_sessions DROP COLUMN save_card_customer_id;

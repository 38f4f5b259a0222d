-- Trust in the money path (issue 19).
-- New order statuses, kept in the same text column:
--   pending         the buyer finished checkout with a delayed method (SEPA, ACH, …): the unit
--                   stays taken, nothing is delivered until the money is in;
--   failed          a delayed payment failed: the unit went back to stock;
--   refund_pending  paid when no unit was left: a refund is owed and retried until the provider
--                   confirms it.
-- When the next refund attempt is due (NULL: none owed, or asked for and awaiting the provider's
-- confirmation), and how many attempts were made.
ALTER TABLE orders ADD COLUMN refund_next_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN refund_attempts INTEGER NOT NULL DEFAULT 0;
-- The payment page an open hold is paid on, so a buyer who presses Buy again is led back to it.
ALTER TABLE orders ADD COLUMN checkout_url TEXT;
-- Bytes a buyer's links have been granted (ranges, whole files and presigned links together),
-- bounded by the download limit times the file's size plus one file of slack.
ALTER TABLE orders ADD COLUMN bytes_served BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_refund_next_idx ON orders (refund_next_at);

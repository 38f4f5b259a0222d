DROP INDEX orders_refund_next_idx;
ALTER TABLE orders DROP COLUMN bytes_served;
ALTER TABLE orders DROP COLUMN checkout_url;
ALTER TABLE orders DROP COLUMN refund_attempts;
ALTER TABLE orders DROP COLUMN refund_next_at;

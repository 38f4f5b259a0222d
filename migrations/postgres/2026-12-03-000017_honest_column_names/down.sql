DROP INDEX orders_buyer_email_idx;
ALTER TABLE orders RENAME COLUMN buyer_email TO customer_id;
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
ALTER TABLE page_contents RENAME COLUMN price_minor TO price_in_cents;
ALTER TABLE products RENAME COLUMN price_minor TO price_in_cents;
ALTER TABLE subscriptions RENAME COLUMN price_minor TO price_in_cents;
ALTER TABLE plans RENAME COLUMN price_minor TO price_in_cents;

-- Column names that said something else than what the columns hold (issue 20):
-- `price_in_cents` holds an amount in the minor unit of its own currency (yen have none, dinars
-- three), and `orders.customer_id` holds the buyer's email address.
ALTER TABLE plans RENAME COLUMN price_in_cents TO price_minor;
ALTER TABLE subscriptions RENAME COLUMN price_in_cents TO price_minor;
ALTER TABLE products RENAME COLUMN price_in_cents TO price_minor;
ALTER TABLE page_contents RENAME COLUMN price_in_cents TO price_minor;
ALTER TABLE orders RENAME COLUMN customer_id TO buyer_email;
DROP INDEX orders_customer_id_idx;
CREATE INDEX orders_buyer_email_idx ON orders (buyer_email);

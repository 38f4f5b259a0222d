DROP INDEX users_stripe_account_idx;
ALTER TABLE users DROP COLUMN stripe_details_submitted;
ALTER TABLE users DROP COLUMN stripe_payouts_enabled;
ALTER TABLE users DROP COLUMN stripe_charges_enabled;
DROP TABLE test_payments;
DROP TABLE payment_events;
ALTER TABLE products DROP COLUMN download_days;
ALTER TABLE products DROP COLUMN download_limit;
DROP TABLE orders;
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages(id),
  product_id TEXT REFERENCES products(id),
  customer_id TEXT NOT NULL,
  payment_id TEXT,
  amount_paid BIGINT NOT NULL,
  currency TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  status TEXT NOT NULL,
  download_attempts INTEGER NOT NULL DEFAULT 0,
  last_download_at TIMESTAMP
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_page_id_idx ON orders (page_id);
CREATE INDEX orders_product_id_idx ON orders (product_id);

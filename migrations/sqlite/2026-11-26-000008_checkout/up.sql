-- Checkout. Orders are rebuilt: they must outlive their page and product (seed: kept 7 years),
-- so those references become ON DELETE SET NULL, and they gain what a hold and a delivery need.
-- No order could be placed before this migration, so no rows are carried over.
DROP TABLE orders;
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  -- The creator's organization, kept on the order itself: the order outlives its page and product
  -- (seed: order rows are kept 7 years), and the creator's order list must still find it.
  organization_id TEXT NOT NULL,
  page_id TEXT REFERENCES pages(id) ON DELETE SET NULL,
  product_id TEXT REFERENCES products(id) ON DELETE SET NULL,
  -- The buyer's email address, lower-cased (the seed's "buyer identifier").
  customer_id TEXT NOT NULL,
  -- The payment provider's payment (a Stripe payment intent), once paid.
  payment_id TEXT,
  amount_paid BIGINT NOT NULL,
  currency TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  -- processing | completed | expired | cancelled | refunded
  status TEXT NOT NULL,
  download_attempts INTEGER NOT NULL DEFAULT 0,
  last_download_at TIMESTAMP,
  -- What the server priced the order at (amount_paid is what the provider reported receiving).
  amount_due BIGINT NOT NULL,
  quantity INTEGER NOT NULL DEFAULT 1,
  -- What was bought, as it was named then: receipts and exports stay readable after a rename or
  -- a deletion.
  item_title TEXT NOT NULL,
  discount_code TEXT,
  bonus_description TEXT,
  -- Until when a processing order holds its unit of stock. Past it, the unit counts as free again
  -- whether or not anything has marked the order expired yet.
  hold_expires_at TIMESTAMP,
  -- For fraud checks; erased after 30 days (seed retention).
  client_ip TEXT,
  -- test | stripe
  provider TEXT NOT NULL,
  checkout_session_id TEXT,
  -- SHA-256 of the buyer's key to this order (thank-you page and downloads); the key itself is
  -- only in the buyer's links.
  access_token_hash TEXT NOT NULL,
  -- SHA-256 of the download link's token, issued when the order is paid and sent in the receipt.
  download_token_hash TEXT,
  download_limit INTEGER NOT NULL,
  download_days INTEGER NOT NULL,
  downloads_until TIMESTAMP,
  amount_refunded BIGINT NOT NULL DEFAULT 0,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_page_status_idx ON orders (page_id, status);
CREATE INDEX orders_product_id_idx ON orders (product_id);
CREATE INDEX orders_organization_created_idx ON orders (organization_id, created_at);
CREATE INDEX orders_payment_id_idx ON orders (payment_id);
CREATE UNIQUE INDEX orders_access_token_idx ON orders (access_token_hash);
CREATE UNIQUE INDEX orders_download_token_idx ON orders (download_token_hash);
CREATE UNIQUE INDEX orders_checkout_session_idx ON orders (checkout_session_id);

-- A product's download limits, copied onto each order when it is placed.
ALTER TABLE products ADD COLUMN download_limit INTEGER NOT NULL DEFAULT 10;
ALTER TABLE products ADD COLUMN download_days INTEGER NOT NULL DEFAULT 30;

-- Payment provider events already applied, by the provider's event id: a replayed webhook (Stripe
-- retries for days) changes nothing.
CREATE TABLE payment_events (
  id TEXT PRIMARY KEY,
  event_type TEXT NOT NULL,
  received_at TIMESTAMP NOT NULL
);

-- The built-in test checkout's sessions (the embedded default when no Stripe key is set). It plays
-- Stripe's part: what it knows about a payment lives here, not in the order.
CREATE TABLE test_payments (
  id TEXT PRIMARY KEY,
  client_reference_id TEXT NOT NULL,
  description TEXT NOT NULL,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  customer_email TEXT NOT NULL,
  success_url TEXT NOT NULL,
  cancel_url TEXT NOT NULL,
  -- open | complete | expired
  status TEXT NOT NULL,
  payment_intent TEXT,
  amount_refunded BIGINT NOT NULL DEFAULT 0,
  expires_at TIMESTAMP NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX test_payments_payment_intent_idx ON test_payments (payment_intent);

-- Stripe Connect: the organization owner's connected account (`users.stripe_account`, seed) and
-- what Stripe last said of it (`account.updated`). Sales are paid out to it.
ALTER TABLE users ADD COLUMN stripe_charges_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN stripe_payouts_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN stripe_details_submitted BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX users_stripe_account_idx ON users (stripe_account);

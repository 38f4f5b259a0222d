-- Billing (issue 11): paid plans through Stripe Billing or the built-in test checkout.
--
-- A subscription row keeps the price it was sold at (`price_in_cents`, `currency`): a plan's
-- price can change without moving its subscribers before their renewal. `end_date` is the end
-- of the period paid for. `cancel_at_period_end` is a downgrade to Free waiting for that end.
-- `last_event_at` is the `created` time of the provider's last applied event, so events that
-- arrive out of order never move a subscription back.
ALTER TABLE subscriptions ADD COLUMN price_in_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
ALTER TABLE subscriptions ADD COLUMN stripe_customer_id TEXT;
ALTER TABLE subscriptions ADD COLUMN cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE subscriptions ADD COLUMN last_event_at TIMESTAMP;
CREATE UNIQUE INDEX subscriptions_stripe_subscription_id_key ON subscriptions (stripe_subscription_id);

-- The organization's open subscription checkout (one at a time: a new one closes the old), and
-- since when its content has been above its plan's limits (the grace period's start; NULL when
-- within them).
ALTER TABLE organizations ADD COLUMN billing_checkout_session TEXT;
ALTER TABLE organizations ADD COLUMN over_plan_since TIMESTAMP;

-- The test checkout sells subscriptions too: a session's mode (payment | subscription) and its
-- metadata (JSON), and the subscriptions it keeps, renewed by the app's clock.
ALTER TABLE test_payments ADD COLUMN mode TEXT NOT NULL DEFAULT 'payment';
ALTER TABLE test_payments ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
CREATE TABLE test_subscriptions (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  customer_email TEXT NOT NULL,
  description TEXT NOT NULL,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  -- active | past_due | canceled
  status TEXT NOT NULL,
  metadata TEXT NOT NULL,
  current_period_start TIMESTAMP NOT NULL,
  current_period_end TIMESTAMP NOT NULL,
  cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE,
  -- A test control: the next renewal's payment fails.
  fail_next_payment BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX test_subscriptions_period_end_idx ON test_subscriptions (current_period_end);

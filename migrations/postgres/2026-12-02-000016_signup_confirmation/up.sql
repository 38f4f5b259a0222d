-- Sign-up confirms the address (issue 19): an account is usable once its owner has opened the
-- link mailed to it. NULL: not confirmed yet (such an account cannot log in, sell or set up
-- payouts, and gives its address up to a new sign-up after 7 days). Accounts made before this
-- migration, by invitation (the invitation link proves the address) or confirmed since carry
-- the time it was proven.
ALTER TABLE users ADD COLUMN email_confirmed_at TIMESTAMP;
UPDATE users SET email_confirmed_at = created_at;
CREATE INDEX users_unconfirmed_idx ON users (email_confirmed_at, created_at);

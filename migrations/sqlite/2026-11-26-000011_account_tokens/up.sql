-- Account links sent by mail (issue 11): a password reset (1 hour) or the confirmation of a new
-- email address (24 hours). Single use: used_at is set by one conditional update, so two clicks
-- racing each other cannot both succeed. Only the token's SHA-256 is stored.
CREATE TABLE account_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  new_email TEXT,
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  used_at TIMESTAMP
);
CREATE UNIQUE INDEX account_tokens_token_hash_key ON account_tokens (token_hash);
CREATE INDEX account_tokens_user_purpose_idx ON account_tokens (user_id, purpose);

-- Sessions show when they were last used (the account page lists them); written at most every
-- few minutes per session, not on every request.
ALTER TABLE sessions ADD COLUMN last_used_at TIMESTAMP;

-- Admins read their organization's security log, newest first, by person.
CREATE INDEX security_log_user_created_at_idx ON security_log (user_id, created_at);

-- Mail waiting to be sent. A message is written in the same transaction as the change that causes
-- it (an order, a registration), and a background sender delivers it, retrying with backoff: a
-- crash or a mail server that is down loses nothing. A sender leases the rows it is sending
-- (`leased_until`), so two app instances never send one message twice.
CREATE TABLE mail_outbox (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT,
  -- JSON: extra headers ([[name, value]]) and text attachments ([{name, contentType, content}]).
  headers TEXT NOT NULL DEFAULT '[]',
  attachments TEXT NOT NULL DEFAULT '[]',
  created_at TIMESTAMP NOT NULL,
  due_at TIMESTAMP NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  leased_until TIMESTAMP,
  sent_at TIMESTAMP,
  failed_at TIMESTAMP,
  last_error TEXT
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (due_at) WHERE sent_at IS NULL AND failed_at IS NULL;

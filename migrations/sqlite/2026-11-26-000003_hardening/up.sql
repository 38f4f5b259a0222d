-- Hardening: pages belong to an organization directly (scoping and locking without a join through
-- users), one "notify me" sign-up per email per page enforced by the database, and rate-limit
-- counters shared by every app instance.
ALTER TABLE pages ADD COLUMN organization_id TEXT REFERENCES organizations(id);
UPDATE pages SET organization_id = (SELECT users.organization_id FROM users WHERE users.id = pages.user_id);
CREATE INDEX pages_organization_id_idx ON pages (organization_id);

DELETE FROM registrations WHERE id NOT IN (SELECT MIN(id) FROM registrations GROUP BY page_id, email);
CREATE UNIQUE INDEX registrations_page_id_email_key ON registrations (page_id, email);

CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  hits INTEGER NOT NULL,
  expires_at TIMESTAMP NOT NULL
);
CREATE INDEX rate_limits_expires_at_idx ON rate_limits (expires_at);

-- Team invitations (issue 11): an address invited into an organization, with its roles (the
-- role names, comma-separated) and group. The link is single use and valid 7 days; only the
-- token's SHA-256 is stored, and resending replaces it (the old link dies). Pending invitations
-- count against the plan's team seats.
CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  roles TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  invited_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  accepted_at TIMESTAMP,
  revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash);
CREATE INDEX invitations_organization_email_idx ON invitations (organization_id, email);

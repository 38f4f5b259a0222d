-- Event registration (issue 10). One row per address and page, as before; its status says what it
-- is: 'notify' (a pre-launch "notify me" sign-up), 'registered', 'waitlisted' or 'cancelled'.
-- seq is the arrival order among a page's registrations, given under the page's row lock, so the
-- waitlist is served first come, first served. The manage token is stored as its SHA-256 only.
-- The *_at columns of reminders and launch mail are claimed by one conditional update each: a
-- message is queued exactly once whatever number of instances sweep.
ALTER TABLE registrations ADD COLUMN status TEXT NOT NULL DEFAULT 'notify';
ALTER TABLE registrations ADD COLUMN seq BIGINT;
ALTER TABLE registrations ADD COLUMN manage_token_hash TEXT;
ALTER TABLE registrations ADD COLUMN client_ip TEXT;
ALTER TABLE registrations ADD COLUMN updated_at TIMESTAMP;
ALTER TABLE registrations ADD COLUMN cancelled_at TIMESTAMP;
ALTER TABLE registrations ADD COLUMN attended_at TIMESTAMP;
ALTER TABLE registrations ADD COLUMN unsubscribed_at TIMESTAMP;
ALTER TABLE registrations ADD COLUMN launch_mailed_at TIMESTAMP;
ALTER TABLE registrations ADD COLUMN reminded_day_at TIMESTAMP;
ALTER TABLE registrations ADD COLUMN reminded_hour_at TIMESTAMP;
ALTER TABLE registrations ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX registrations_manage_token_hash_key ON registrations (manage_token_hash);
CREATE INDEX registrations_page_status_seq_idx ON registrations (page_id, status, seq);

-- Refusals by a page's per-minute registration limit, so its creator can see the limit being hit.
CREATE TABLE registration_limit_hits (
  page_id TEXT PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
  refused BIGINT NOT NULL,
  last_refused_at TIMESTAMP NOT NULL
);

-- "Notify me" rows kept their client address inside custom_fields; it now has its own column,
-- erased after 30 days. The old copies go (they were only ever for abuse limits).
UPDATE registrations SET custom_fields = '{}' WHERE status = 'notify';
CREATE INDEX registrations_page_seq_idx ON registrations (page_id, seq);

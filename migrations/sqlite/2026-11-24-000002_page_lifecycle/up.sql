-- Pages need a last-change time (cache invalidation, the dashboard list) and an aggregated view count
-- (flushed from memory, never written per view).
ALTER TABLE pages ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
ALTER TABLE pages ADD COLUMN view_count BIGINT NOT NULL DEFAULT 0;

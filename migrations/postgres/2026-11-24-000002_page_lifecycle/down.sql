ALTER TABLE pages DROP COLUMN view_count;
ALTER TABLE pages DROP COLUMN updated_at;

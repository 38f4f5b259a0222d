DROP INDEX security_log_user_created_at_idx;
ALTER TABLE sessions DROP COLUMN last_used_at;
DROP TABLE account_tokens;

DROP INDEX users_unconfirmed_idx;
ALTER TABLE users DROP COLUMN email_confirmed_at;

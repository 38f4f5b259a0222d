DROP TABLE rate_limits;
DROP INDEX registrations_page_id_email_key;
DROP INDEX pages_organization_id_idx;
ALTER TABLE pages DROP COLUMN organization_id;

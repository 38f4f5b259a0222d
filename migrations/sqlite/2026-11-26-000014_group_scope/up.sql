-- What a group scopes (issue 11): every page and product belongs to a group, the group of the
-- member who created it. Editors change only their own group's pages and products; managers and
-- admins change all of the organization's. A group that is deleted leaves its pages and products
-- to no group (NULL), which every editor may change.
ALTER TABLE pages ADD COLUMN group_id TEXT REFERENCES groups(id) ON DELETE SET NULL;
ALTER TABLE products ADD COLUMN group_id TEXT REFERENCES groups(id) ON DELETE SET NULL;
UPDATE pages SET group_id = (SELECT users.group_id FROM users WHERE users.id = pages.user_id);
UPDATE products SET group_id = (SELECT users.group_id FROM users WHERE users.id = products.user_id);
CREATE INDEX pages_group_id_idx ON pages (group_id);
CREATE INDEX products_group_id_idx ON products (group_id);

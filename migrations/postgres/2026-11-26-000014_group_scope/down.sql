DROP INDEX products_group_id_idx;
DROP INDEX pages_group_id_idx;
ALTER TABLE products DROP COLUMN group_id;
ALTER TABLE pages DROP COLUMN group_id;

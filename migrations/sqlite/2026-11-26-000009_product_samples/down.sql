DROP INDEX products_sample_key_idx;
ALTER TABLE products DROP COLUMN sample_type;
ALTER TABLE products DROP COLUMN sample_key;

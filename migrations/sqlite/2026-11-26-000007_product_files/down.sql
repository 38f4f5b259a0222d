DROP INDEX files_one_per_product;
ALTER TABLE files DROP COLUMN sha256;

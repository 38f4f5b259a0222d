DROP INDEX orders_product_id_idx;
DROP INDEX products_organization_id_idx;
ALTER TABLE products DROP COLUMN organization_id;

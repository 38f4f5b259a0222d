-- Products belong to an organization directly, like pages (scoping and locking without a join
-- through users). Orders are looked up by product: a product that an order references cannot be
-- deleted, and that check must not scan every order.
ALTER TABLE products ADD COLUMN organization_id TEXT REFERENCES organizations(id);
UPDATE products SET organization_id = (SELECT users.organization_id FROM users WHERE users.id = products.user_id);
CREATE INDEX products_organization_id_idx ON products (organization_id);
CREATE INDEX orders_product_id_idx ON orders (product_id);

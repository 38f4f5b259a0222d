-- A product's optional public sample (an image, a sound or a PDF excerpt shown on the pages that
-- sell it), stored at users/{userId}/products/{productId}/preview/{fileName}, and its type as
-- recognised from its bytes.
ALTER TABLE products ADD COLUMN sample_key TEXT;
ALTER TABLE products ADD COLUMN sample_type TEXT;
CREATE UNIQUE INDEX products_sample_key_idx ON products (sample_key);

-- A product's file (the seed's FILE, one per product): its SHA-256 too, so a buyer (and support)
-- can check a download against what the creator uploaded.
ALTER TABLE files ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX files_one_per_product ON files (product_id);

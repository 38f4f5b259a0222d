-- What each organization keeps in file storage: one row per stored object (its size, and the page
-- it belongs to) and a running total on the organization, raised only while it stays within the
-- plan's storage (one conditional UPDATE, so parallel uploads cannot overshoot it).
ALTER TABLE organizations ADD COLUMN storage_bytes BIGINT NOT NULL DEFAULT 0;

CREATE TABLE stored_objects (
  key TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  page_id TEXT,
  bytes BIGINT NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX stored_objects_organization_id_idx ON stored_objects (organization_id);
CREATE INDEX stored_objects_page_id_idx ON stored_objects (page_id);

-- The plans' storage (storageMb): 1 GB, 50 GB, 500 GB.
UPDATE plans SET features = '{"activePages":3,"products":5,"maxFileSizeMb":100,"teamSeats":1,"customBranding":false,"platformFeeBasisPoints":500,"storageMb":1024}' WHERE name = 'Free';
UPDATE plans SET features = '{"activePages":25,"products":100,"maxFileSizeMb":2048,"teamSeats":5,"customBranding":true,"platformFeeBasisPoints":200,"storageMb":51200}' WHERE name = 'Basic';
UPDATE plans SET features = '{"activePages":null,"products":null,"maxFileSizeMb":10240,"teamSeats":25,"customBranding":true,"platformFeeBasisPoints":0,"storageMb":512000}' WHERE name = 'Premium';

UPDATE plans SET features = '{"activePages":3,"products":5,"maxFileSizeMb":100,"teamSeats":1,"customBranding":false,"platformFeeBasisPoints":500}' WHERE name = 'Free';
UPDATE plans SET features = '{"activePages":25,"products":100,"maxFileSizeMb":2048,"teamSeats":5,"customBranding":true,"platformFeeBasisPoints":200}' WHERE name = 'Basic';
UPDATE plans SET features = '{"activePages":null,"products":null,"maxFileSizeMb":10240,"teamSeats":25,"customBranding":true,"platformFeeBasisPoints":0}' WHERE name = 'Premium';
DROP TABLE stored_objects;
ALTER TABLE organizations DROP COLUMN storage_bytes;

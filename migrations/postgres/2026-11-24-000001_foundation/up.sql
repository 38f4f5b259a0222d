-- Foundation: every entity of the seed data model, plus sessions and the security log.
-- Generated for both dialects from one description so that the two schemas stay identical.

CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  is_enterprise BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE groups (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX groups_organization_id_idx ON groups (organization_id);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id),
  group_id TEXT NOT NULL REFERENCES groups(id),
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  stripe_account TEXT,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_organization_id_idx ON users (organization_id);

CREATE TABLE roles (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL
);
CREATE UNIQUE INDEX roles_name_key ON roles (name);

CREATE TABLE user_roles (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role_id TEXT NOT NULL REFERENCES roles(id),
  PRIMARY KEY (user_id, role_id)
);

CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  price_in_cents BIGINT NOT NULL,
  currency TEXT NOT NULL,
  interval TEXT NOT NULL,
  is_visible BOOLEAN NOT NULL,
  features TEXT NOT NULL
);
CREATE UNIQUE INDEX plans_name_key ON plans (name);

CREATE TABLE subscriptions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  plan_id TEXT NOT NULL REFERENCES plans(id),
  start_date TIMESTAMP NOT NULL,
  end_date TIMESTAMP,
  status TEXT NOT NULL,
  stripe_subscription_id TEXT,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX subscriptions_user_id_idx ON subscriptions (user_id);

CREATE TABLE products (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  price_in_cents BIGINT NOT NULL,
  currency TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP,
  is_active BOOLEAN NOT NULL
);
CREATE INDEX products_user_id_idx ON products (user_id);

CREATE TABLE files (
  id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  file_name TEXT NOT NULL,
  file_type TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  file_size_bytes BIGINT NOT NULL,
  uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX files_product_id_idx ON files (product_id);

CREATE TABLE pages (
  id TEXT PRIMARY KEY,
  short_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  type TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP,
  launch_at TIMESTAMP,
  is_active BOOLEAN NOT NULL,
  customization TEXT NOT NULL,
  settings TEXT NOT NULL
);
CREATE UNIQUE INDEX pages_short_id_key ON pages (short_id);
CREATE INDEX pages_user_id_idx ON pages (user_id);
CREATE INDEX pages_expires_at_idx ON pages (expires_at);

CREATE TABLE page_contents (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  content_type TEXT NOT NULL,
  product_id TEXT REFERENCES products(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  price_in_cents BIGINT,
  currency TEXT,
  metadata TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX page_contents_page_id_idx ON page_contents (page_id, position);

CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages(id),
  product_id TEXT REFERENCES products(id),
  customer_id TEXT NOT NULL,
  payment_id TEXT,
  amount_paid BIGINT NOT NULL,
  currency TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  status TEXT NOT NULL,
  download_attempts INTEGER NOT NULL DEFAULT 0,
  last_download_at TIMESTAMP
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_page_id_idx ON orders (page_id);

CREATE TABLE registrations (
  id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  phone TEXT,
  registered_at TIMESTAMP NOT NULL,
  custom_fields TEXT NOT NULL
);
CREATE INDEX registrations_email_idx ON registrations (email);
CREATE INDEX registrations_page_id_idx ON registrations (page_id);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  ip TEXT,
  user_agent TEXT
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE security_log (
  id TEXT PRIMARY KEY,
  user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
  email TEXT,
  ip TEXT,
  event TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX security_log_email_created_at_idx ON security_log (email, created_at);
CREATE INDEX security_log_ip_created_at_idx ON security_log (ip, created_at);
CREATE INDEX security_log_created_at_idx ON security_log (created_at);

ALTER TABLE organizations ADD CONSTRAINT organizations_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

INSERT INTO roles (id, name) VALUES
  ('00000000-0000-7000-8000-000000000001', 'admin'),
  ('00000000-0000-7000-8000-000000000002', 'manager'),
  ('00000000-0000-7000-8000-000000000003', 'editor'),
  ('00000000-0000-7000-8000-000000000004', 'viewer');
INSERT INTO plans (id, name, description, price_in_cents, currency, interval, is_visible, features) VALUES
  ('00000000-0000-7000-8000-000000000101', 'Free', 'Try Flashpage: a few live pages and products, 5% platform fee.', 0, 'USD', 'month', TRUE,
   '{"activePages":3,"products":5,"maxFileSizeMb":100,"teamSeats":1,"customBranding":false,"platformFeeBasisPoints":500}'),
  ('00000000-0000-7000-8000-000000000102', 'Basic', 'For creators who launch often: 25 live pages, 5 seats, your branding, 2% fee.', 1900, 'USD', 'month', TRUE,
   '{"activePages":25,"products":100,"maxFileSizeMb":2048,"teamSeats":5,"customBranding":true,"platformFeeBasisPoints":200}'),
  ('00000000-0000-7000-8000-000000000103', 'Premium', 'For teams: unlimited pages and products, 25 seats, no platform fee.', 4900, 'USD', 'month', TRUE,
   '{"activePages":null,"products":null,"maxFileSizeMb":10240,"teamSeats":25,"customBranding":true,"platformFeeBasisPoints":0}');

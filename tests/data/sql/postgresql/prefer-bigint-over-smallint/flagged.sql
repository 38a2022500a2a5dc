SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE products ADD COLUMN IF NOT EXISTS stock smallint;

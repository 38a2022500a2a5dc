-- expand: add the new column; code writes both; the old one goes in a later release
SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE users ADD COLUMN IF NOT EXISTS full_name text;

SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE users DROP COLUMN IF EXISTS legacy_flag;

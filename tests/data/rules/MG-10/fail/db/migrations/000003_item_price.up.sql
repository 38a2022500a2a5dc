SET lock_timeout = '5s';
SET statement_timeout = '15min';
ALTER TABLE item ADD COLUMN IF NOT EXISTS price numeric;

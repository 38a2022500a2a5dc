SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS payload json;

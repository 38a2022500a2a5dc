SET lock_timeout = '2s';
SET statement_timeout = '60s';
-- dbaudit: ignore[adding-json-column] the provider signs the raw body, so it is kept byte for byte
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS payload json;

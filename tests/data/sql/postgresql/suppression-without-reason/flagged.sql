SET lock_timeout = '2s';
SET statement_timeout = '60s';
-- dbaudit: ignore[adding-json-column]
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS payload json;

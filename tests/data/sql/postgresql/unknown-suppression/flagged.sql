SET lock_timeout = '2s';
SET statement_timeout = '60s';
-- dbaudit: ignore[adding-jsn-column] the provider signs the raw body
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS payload jsonb;

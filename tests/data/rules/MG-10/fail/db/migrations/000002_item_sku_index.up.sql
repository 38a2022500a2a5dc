-- dbaudit: ignore[require-lock-timeout, require-statement-timeout] lock_timeout and statement_timeout come from the connection's options
CREATE INDEX CONCURRENTLY IF NOT EXISTS item_sku ON item (sku);
